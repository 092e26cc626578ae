/**
 * What the soak asks of the ACS besides periodic Informs: provisioning (a
 * preset on a tenth of the devices whose value changes every five minutes,
 * so it keeps sending SetParameterValues), and tasks POSTed with
 * ?connection_request through the REST API on a few devices per minute.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { postOne, type Posted } from '../bench/fan-out-tasks';
import type { NbiClient } from '../bench/nbi-client';
import { tally } from '../bench/distribution';
import type { Fleet } from '../sim/fleet';

export const PROVISIONED_PATH = 'Device.Time.NTPServer1';
const CR_PATH = 'Device.Time.NTPServer2';

const PRESET = `# Serials end in their index: one device in ten.
precondition: 'DeviceID.SerialNumber LIKE "%0"'
channel: soak
provisions:
  - soak
`;

const PROVISION = `declare('${PROVISIONED_PATH}', null, { value: 'ntp-' + Math.floor(Date.now() / 300000) + '.example.net' });\n`;

/** PRESETS_DIR and PROVISIONS_DIR holding the soak's preset and provision. */
export function soakScriptDirs(): { presets: string; provisions: string } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'acs-soak-'));
  const dirs = { presets: path.join(root, 'presets'), provisions: path.join(root, 'provisions') };
  mkdirSync(dirs.presets);
  mkdirSync(dirs.provisions);
  writeFileSync(path.join(dirs.presets, 'soak.yaml'), PRESET);
  writeFileSync(path.join(dirs.provisions, 'soak.js'), PROVISION);
  return dirs;
}

/** Tasks with a connection request, one every 60/perMinute s, to the devices in turn. */
export class ConnectionRequests {
  readonly posted: Posted[] = [];
  private timer: NodeJS.Timeout | null = null;
  private next = 0;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly nbi: NbiClient, private readonly fleet: Fleet, private readonly perMinute: number) {}

  start(): void {
    if (this.perMinute <= 0) return;
    this.timer = setInterval(() => this.postNext(), 60_000 / this.perMinute);
  }

  /** Stops posting; resolves once the POSTs under way are answered. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await Promise.all(this.inFlight);
  }

  private postNext(): void {
    const n = this.next++;
    // Every seventh device (7 is prime to any fleet size not a multiple of it): spread over the fleet, none asked twice before all were.
    const device = this.fleet.devices[(n * 7) % this.fleet.devices.length];
    const body = { name: 'setParameterValues', parameterValues: [[CR_PATH, `ntp-cr-${n}.example.net`, 'xsd:string']] };
    const run = postOne(this.nbi, device, body).then((p) => void this.posted.push(p));
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
  }

  /** Problems: POSTs refused or failed, and connection requests that did not reach the device. */
  problems(): string[] {
    return this.posted.flatMap((p) => {
      if (p.error) return [p.error];
      const outcome = p.cr?.outcome ?? 'none';
      return outcome === 'ok' ? [] : [`connection request of task ${String(p.taskId)}: ${outcome}`];
    });
  }

  /** Final statuses of the posted tasks, read back one by one (a few per minute). */
  async statuses(): Promise<Record<string, number>> {
    const statuses: string[] = [];
    for (const p of this.posted) {
      if (p.taskId === undefined) continue;
      const r = await this.nbi.get(`/tasks/${p.taskId}`);
      statuses.push(r.status === 200 ? String((r.body as { status?: unknown }).status) : `HTTP ${r.status}`);
    }
    return tally(statuses);
  }
}
