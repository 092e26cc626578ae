/**
 * The ACS side of `profile-fan-out.ts --stand-in`, in its own process: a
 * ScriptedAcs (Inform answered, one queued SetParameterValues, then 204) and
 * the ACS's own HTTP connection-request code (Digest) towards each device.
 * Its first argument holds every Inform's answer back that many ms (a busy
 * ACS: sessions last longer, more are open at once). Messages on IPC: it
 * sends {acsUrl} once listening; it gets the devices,
 * queues their request, asks their connection requests (`limit` at once) and
 * sends {done, refused} when every one was answered.
 */
import type { SetParameterValues } from '../../src/cwmp/soap/types';
import { httpConnectionRequest } from '../../src/connreq/http-request';
import { ScriptedAcs } from './scripted-acs';

export interface StandInDevice {
  serial: string;
  url: string;
  username: string;
  password: string;
}

export interface StandInJob {
  devices: StandInDevice[];
  request: SetParameterValues;
  limit: number;
}

async function main(): Promise<void> {
  const acs = new ScriptedAcs();
  const delayMs = Number(process.argv[2] ?? 0);
  if (delayMs > 0) acs.intercept = () => new Promise((resolve) => setTimeout(resolve, delayMs));
  const acsUrl = await acs.start();
  process.on('message', (job: StandInJob) => void run(acs, job));
  process.on('disconnect', () => void acs.close().then(() => process.exit(0)));
  process.send?.({ acsUrl });
}

async function run(acs: ScriptedAcs, job: StandInJob): Promise<void> {
  for (const d of job.devices) acs.queue(d.serial, job.request);
  let next = 0;
  let refused = 0;
  const worker = async (): Promise<void> => {
    while (next < job.devices.length) {
      const d = job.devices[next++];
      const r = await httpConnectionRequest(new URL(d.url), { username: d.username, password: d.password });
      if (r.outcome !== 'ok') refused++;
    }
  };
  await Promise.all(Array.from({ length: job.limit }, worker));
  process.send?.({ done: job.devices.length, refused });
}

void main();
