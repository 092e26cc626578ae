/**
 * A CWMP process's view of the trace switch: the traced devices, re-read
 * from Redis every second, so that asking "is this device traced?" on each
 * CWMP request is a Set lookup and no round trip (the quiet periodic
 * session pays nothing while nobody is traced). A device switched on starts
 * being traced within TRACE_POLL_MS on every front end.
 */
import type { CwmpPost } from '../cwmp/session/context';
import type { CwmpReply } from '../cwmp/session/replies';
import type { DeviceKey } from '../db/types';
import type { Logger } from '../log';
import { tracedMessage, type TraceStore } from './store';

const TRACE_POLL_MS = 1_000;

export class TraceSwitch {
  private devices: ReadonlySet<DeviceKey> = new Set();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly store: TraceStore, private readonly log: Logger) {}

  /** Reads the switch now, then every TRACE_POLL_MS until closed. */
  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), TRACE_POLL_MS);
  }

  async refresh(): Promise<void> {
    try {
      this.devices = new Set(await this.store.traced());
    } catch (err) {
      // Redis away: the last view stands; tracing is a debugging aid, never a reason to fail a session.
      this.log.debug({ err }, 'trace switch not read');
    }
  }

  /** Whether any device is traced: the one check a CWMP request makes while none is. */
  get active(): boolean {
    return this.devices.size > 0;
  }

  /** Keeps the exchange (the CPE's POST, the ACS's answer) if `device` is traced; not awaited, a failure is logged. */
  record(device: DeviceKey, post: CwmpPost, receivedAt: number, reply: CwmpReply): void {
    if (!this.devices.has(device)) return;
    const sessionId = reply.sessionId ?? post.sessionId;
    const messages = [tracedMessage('cpe', receivedAt, sessionId, post.body), tracedMessage('acs', Date.now(), sessionId, reply.body ?? '', reply.status)];
    this.store.append(device, messages).catch((err: unknown) => this.log.warn({ deviceId: device, err }, 'trace not stored'));
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

/** A process's trace switch, read now and every second until the process closes. */
export async function startTraceSwitch(store: TraceStore, log: Logger, opened: { push(close: () => Promise<void>): unknown }): Promise<TraceSwitch> {
  const sw = new TraceSwitch(store, log);
  await sw.start();
  opened.push(async () => sw.close());
  return sw;
}
