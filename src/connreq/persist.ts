/**
 * A connection request that is asked again while the answer is "not now":
 * a CPE limiting the rate (HTTP 503: TR-069 lets it refuse requests that come
 * too often) or our own limits. A workflow sends one per task step, and a
 * CPE answers the second within a second of the first with 503: without
 * asking again, the step waited for the device's next periodic Inform,
 * possibly a day away. Other outcomes are final (an offline device, refused
 * credentials): asking again would only load a fan-out.
 */
import type { DeviceKey } from '../db/types';
import type { ConnectionRequestOutcome, ConnectionRequestResult } from './types';

/** Waits before each new ask: 31 s in all, longer than any CPE's rate limit seen. */
export const RETRY_DELAYS_MS = [1000, 2000, 4000, 8000, 16_000] as const;

const NOT_NOW: ReadonlySet<ConnectionRequestResult> = new Set<ConnectionRequestResult>(['http-503', 'rate-limited']);

/** The delays of RETRY_DELAYS_MS that fit, added up, within `ms` (a caller waiting that long for the task). */
export function delaysWithin(ms: number): number[] {
  let total = 0;
  return RETRY_DELAYS_MS.filter((d) => (total += d) < ms);
}

export async function requestUntilAnswered(
  request: (device: DeviceKey) => Promise<ConnectionRequestOutcome>,
  device: DeviceKey,
  delaysMs: readonly number[] = RETRY_DELAYS_MS,
): Promise<ConnectionRequestOutcome> {
  let outcome = await request(device);
  for (const delay of delaysMs) {
    if (!NOT_NOW.has(outcome.outcome)) break;
    // Unref'd: a process shutting down does not wait to ask again.
    await new Promise((resolve) => setTimeout(resolve, delay).unref());
    outcome = await request(device);
  }
  return outcome;
}
