import type { Config } from '../config/load';
import type { ConnectionRequesterOptions } from './requester';

/** The requester's options from the one table of settings. */
export function connectionRequestOptions(config: Readonly<Config>): ConnectionRequesterOptions {
  return {
    http: { timeoutMs: config.connectionRequestTimeoutMs, attempts: config.connectionRequestAttempts },
    ratePerSecond: config.connectionRequestRate,
    deviceIntervalMs: config.connectionRequestIntervalMs,
    pendingMs: config.connectionRequestPendingMs,
  };
}
