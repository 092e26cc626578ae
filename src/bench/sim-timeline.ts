/**
 * What the simulated CPEs saw of a fan-out, per device: when its connection
 * request was accepted, when the session it brought started (the Inform
 * leaves the CPE at once) and when it ended. Recorded by wrapping the
 * fleet's own entry points (the listener calls `fleet.connect` with
 * "6 CONNECTION REQUEST"; the fleet calls `device.runSession`), so the
 * simulator's code is unchanged and the times are the CPE's, on the same
 * clock (Date.now) as the ACS's task timestamps.
 */
import type { SimDevice } from '../sim/device';
import type { Fleet } from '../sim/fleet';

export interface CpeTimes {
  /** The CPE accepted a connection request (answered 200). */
  crAt?: number;
  /** The first session after it started (Inform sent). */
  informAt?: number;
  /** That session ended. */
  sessionEndAt?: number;
}

const CONNECTION_REQUEST = '6 CONNECTION REQUEST';

export class SimTimeline {
  private readonly times = new Map<SimDevice, CpeTimes>();

  constructor(fleet: Fleet) {
    const connect = fleet.connect.bind(fleet);
    fleet.connect = (device: SimDevice, event?: string): void => {
      if (event === CONNECTION_REQUEST) this.of(device).crAt ??= Date.now();
      connect(device, event);
    };
    for (const device of fleet.devices) this.wrap(device);
  }

  get(device: SimDevice): CpeTimes {
    return this.times.get(device) ?? {};
  }

  /** Connection requests the CPEs accepted since the timeline was made (first per device). */
  get accepted(): number {
    let n = 0;
    for (const t of this.times.values()) if (t.crAt !== undefined) n++;
    return n;
  }

  private of(device: SimDevice): CpeTimes {
    let t = this.times.get(device);
    if (!t) this.times.set(device, (t = {}));
    return t;
  }

  private wrap(device: SimDevice): void {
    const run = device.runSession.bind(device);
    device.runSession = async (reason?: string) => {
      const t = this.of(device);
      const first = t.crAt !== undefined && t.informAt === undefined;
      if (first) t.informAt = Date.now();
      try {
        return await run(reason);
      } finally {
        if (first) t.sessionEndAt = Date.now();
      }
    };
  }
}
