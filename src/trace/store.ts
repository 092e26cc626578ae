/**
 * Per-device SOAP traces in Redis: which devices are traced (a sorted set,
 * device → end of the trace in ms) and each traced device's exchanged
 * messages (a list capped at TRACE_MAX_MESSAGES, expiring TRACE_KEEP_MS
 * after its last message). Bounded both ways: the operator switches a
 * device on for a limited time, and its list cannot grow past the cap.
 */
import type { Redis } from 'ioredis';
import type { DeviceKey } from '../db/types';

/** Longest message text kept; a larger one (a GetParameterNamesResponse of a big model) is cut and marked. */
export const MAX_MESSAGE_CHARS = 1024 * 1024;

/** One message as the trace keeps it. */
export interface TracedMessage {
  /** ISO 8601, when the ACS received (cpe) or sent (acs) it. */
  time: string;
  sessionId: string | null;
  /** cpe: CPE → ACS (an HTTP POST); acs: ACS → CPE (its HTTP answer). */
  from: 'cpe' | 'acs';
  /** The HTTP status of an ACS answer. */
  status?: number;
  /** The SOAP envelope, "" for an empty POST or a 204. */
  body: string;
  truncated?: true;
}

export interface TraceOptions {
  redisPrefix: string;
  maxMessages: number;
  keepMs: number;
}

export class TraceStore {
  constructor(private readonly redis: Redis, private readonly options: TraceOptions) {}

  private get devicesKey(): string {
    return `${this.options.redisPrefix}trace:devices`;
  }

  private logKey(device: DeviceKey): string {
    return `${this.options.redisPrefix}trace:log:${device}`;
  }

  /** Traces `device` until now + durationS (replacing an earlier end); resolves to that end. */
  async switchOn(device: DeviceKey, durationS: number): Promise<number> {
    const until = Date.now() + durationS * 1000;
    await this.redis.multi().zremrangebyscore(this.devicesKey, '-inf', Date.now()).zadd(this.devicesKey, until, device).exec();
    return until;
  }

  /** Stops tracing `device`; what was traced stays downloadable until it expires. */
  async switchOff(device: DeviceKey): Promise<void> {
    await this.redis.zrem(this.devicesKey, device);
  }

  /** The end of the device's trace, null when it is not traced. */
  async until(device: DeviceKey): Promise<number | null> {
    const score = await this.redis.zscore(this.devicesKey, device);
    return score !== null && Number(score) > Date.now() ? Number(score) : null;
  }

  /** The devices traced now. */
  async traced(): Promise<DeviceKey[]> {
    return this.redis.zrangebyscore(this.devicesKey, Date.now(), '+inf');
  }

  /** Appends messages to the device's trace (one round trip): the oldest go beyond the cap. */
  async append(device: DeviceKey, messages: TracedMessage[]): Promise<void> {
    const key = this.logKey(device);
    await this.redis.multi().rpush(key, ...messages.map((m) => JSON.stringify(m))).ltrim(key, -this.options.maxMessages, -1).pexpire(key, this.options.keepMs).exec();
  }

  /** The device's traced messages, oldest first. */
  async read(device: DeviceKey): Promise<TracedMessage[]> {
    return (await this.redis.lrange(this.logKey(device), 0, -1)).map((m) => JSON.parse(m) as TracedMessage);
  }
}

/** A message for the trace, cut to MAX_MESSAGE_CHARS. */
export function tracedMessage(from: TracedMessage['from'], time: number, sessionId: string | null, body: string, status?: number): TracedMessage {
  const m: TracedMessage = { time: new Date(time).toISOString(), sessionId, from, body: body.length > MAX_MESSAGE_CHARS ? body.slice(0, MAX_MESSAGE_CHARS) : body };
  if (status !== undefined) m.status = status;
  if (body.length > MAX_MESSAGE_CHARS) m.truncated = true;
  return m;
}
