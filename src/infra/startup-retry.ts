import { redact } from '../db/url';
import type { Logger } from '../log';

/** The outside service a start-up attempt reaches, named by the setting that points at it. */
export interface StartupTarget {
  /** `DATABASE_URL` or `REDIS_URL`: the operator's word for it. */
  setting: string;
  url: string;
}

export interface StartupRetry {
  /** Give up this long after the first attempt (STARTUP_RETRY_MS). */
  retryMs: number;
  log: Logger;
  /** Aborted when the process is asked to stop while it waits (SIGTERM during start-up). */
  signal?: AbortSignal;
}

const FIRST_WAIT_MS = 250;
const MAX_WAIT_MS = 5_000;

/** Error codes of a service that is not there yet (down, starting, its name not yet in DNS); anything else is a mistake to report at once. */
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE',
  'PROTOCOL_CONNECTION_LOST', 'ER_CON_COUNT_ERROR', 'ER_SERVER_SHUTDOWN',
]);

/** Whether `err` says the service is unreachable for now (worth another try), not that the settings are wrong. */
export function isTransient(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  if (typeof e?.code === 'string' && TRANSIENT_CODES.has(e.code)) return true;
  // Redis answers LOADING while it reads its data set back after a restart.
  return typeof e?.message === 'string' && /^LOADING\b|Connection is closed/.test(e.message);
}

/**
 * Runs `attempt` until it succeeds, retrying transient failures with a doubling
 * wait (0.25 s … 5 s) for `retryMs`; each failure is logged naming the setting
 * and its URL (password masked). Past the time, or on a non-transient error,
 * rejects with one line an operator can act on.
 */
export async function retryAtStartup<T>(target: StartupTarget, policy: StartupRetry, attempt: () => Promise<T>): Promise<T> {
  const url = redact(target.url);
  const giveUpAt = Date.now() + policy.retryMs;
  for (let n = 1, waitMs = FIRST_WAIT_MS; ; n++, waitMs = Math.min(waitMs * 2, MAX_WAIT_MS)) {
    try {
      return await attempt();
    } catch (err) {
      const reason = (err as Error).message || String(err);
      if (!isTransient(err)) throw new Error(`${target.setting} ${url}: ${reason}`);
      if (policy.signal?.aborted) throw new Error(`start-up stopped while waiting for ${target.setting} ${url}`);
      const left = giveUpAt - Date.now();
      if (left <= 0) {
        throw new Error(`${target.setting} ${url} unreachable: ${reason} (gave up after ${n} attempts in ${policy.retryMs / 1000} s, STARTUP_RETRY_MS)`);
      }
      const retryInMs = Math.min(waitMs, left);
      policy.log.warn({ setting: target.setting, url, attempt: n, retryInMs, reason }, `${target.setting} unreachable at start-up: retrying`);
      await sleep(retryInMs, policy.signal);
    }
  }
}

/** Resolves after `ms`, or at once when `signal` aborts (the loop above then gives up). */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
