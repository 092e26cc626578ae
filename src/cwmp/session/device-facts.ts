import type { Redis } from 'ioredis';
import type { CpeCredentials, DeviceKey, DeviceStore, PendingEvent, PendingRequest } from '../../db/types';

/** A pending event as the session hot path knows it (its detail stays in the database). */
export type EventRef = Omit<PendingEvent, 'detail'>;

/**
 * What the session hot path must know about a device before it answers an
 * Inform, kept in Redis so that a periodic Inform with nothing to do costs no
 * database query: its own CPE credentials, whether requests wait for it, and
 * a hash of what its last committed Inform said.
 *
 * Kept as a Redis hash `dev:<deviceKey>` with a version. Whoever changes the
 * underlying data (new credentials, a cleared channel fault) bumps the version
 * and drops the facts; a writer only writes if the version is still the one it
 * read before looking at the database, so a stale write cannot hide a change.
 * A new task only bumps a task mark (`tasks`): the facts stay, the next
 * session sees "pending" and reads the queue, and a writer clears the mark
 * only if it is still the one it read. Dropping the facts for every task cost
 * a fan-out of tasks two more queries per session (credentials, events).
 */
export interface DeviceFacts {
  credentials: CpeCredentials | null;
  pending: boolean;
  /** Hash of the identity, address and parameters of the last committed Inform; null if unknown. */
  informHash: string | null;
  /** Events answered but not yet carried out: a periodic session of the device carries them (see db/events.ts). */
  events: EventRef[];
}

export interface LoadedFacts {
  facts: DeviceFacts;
  version: string;
  /** The queue, when loading the facts had to read it anyway (the facts were not cached: write them once trusted). */
  queue?: PendingRequest[];
}

/**
 * ARGV[7]: the task mark as loaded; a mark that moved since (a task queued
 * meanwhile) stays, so the next session reads the queue.
 */
const WRITE_IF_VERSION = `
if (redis.call('HGET', KEYS[1], 'ver') or '0') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'cred', ARGV[2], 'pending', ARGV[3], 'hash', ARGV[4], 'ev', ARGV[6])
if (redis.call('HGET', KEYS[1], 'tasks') or '0') == ARGV[7] then redis.call('HDEL', KEYS[1], 'tasks') end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1`;

/** Replaces the pending events of complete facts; facts being rebuilt are left alone (they are read from the database). */
const SET_EVENTS = `
if redis.call('HEXISTS', KEYS[1], 'ev') == 0 then return 0 end
redis.call('HSET', KEYS[1], 'ev', ARGV[1])
return 1`;

const TTL_MS = 7 * 24 * 3600_000;

export class DeviceFactsCache {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(deviceKey: DeviceKey): string {
    return `${this.prefix}dev:${deviceKey}`;
  }

  /**
   * The facts, from Redis, or from the database when Redis has none. Facts read
   * from the database are not cached here: the caller writes them once the CPE
   * has authenticated, so that refused Informs leave nothing behind.
   */
  async load(deviceKey: DeviceKey, store: DeviceStore): Promise<LoadedFacts> {
    const h = await this.redis.hgetall(this.key(deviceKey));
    const mark = h.tasks ?? '0';
    // Opaque to callers: the version and the task mark, both checked by write().
    const version = `${h.ver ?? '0'}:${mark}`;
    if (h.cred !== undefined && h.pending !== undefined && h.hash !== undefined && h.ev !== undefined) {
      const credentials = JSON.parse(h.cred) as CpeCredentials | null;
      const pending = h.pending === '1' || mark !== '0';
      const facts = { credentials, pending, informHash: h.hash || null, events: JSON.parse(h.ev) as EventRef[] };
      return { facts, version };
    }
    const [credentials, queue, events] = await Promise.all([
      store.getCpeCredentials(deviceKey),
      store.pendingRequests(deviceKey),
      store.pendingEvents(deviceKey),
    ]);
    return { facts: { credentials, pending: queue.length > 0, informHash: null, events: events.map(refOf) }, version, queue };
  }

  /** Writes the facts unless someone changed the device since `version` was read. */
  async write(deviceKey: DeviceKey, version: string, facts: DeviceFacts): Promise<boolean> {
    const [ver, mark = '0'] = version.split(':');
    const args = [ver, JSON.stringify(facts.credentials), facts.pending ? '1' : '0', facts.informHash ?? '', TTL_MS, JSON.stringify(facts.events), mark];
    return (await this.redis.eval(WRITE_IF_VERSION, 1, this.key(deviceKey), ...args)) === 1;
  }

  /**
   * The device's pending events changed in the database (an Inform was
   * acknowledged): the cached facts say so at once, so that a session lost
   * before its end (Redis restarted, every process down) still leaves the next
   * session carrying them.
   */
  async setEvents(deviceKey: DeviceKey, events: EventRef[]): Promise<void> {
    await this.redis.eval(SET_EVENTS, 1, this.key(deviceKey), JSON.stringify(events.map(refOf)));
  }

  /** A task was queued for the device: its next session reads the queue (one round trip, the rest of the facts stay). */
  async markPending(deviceKey: DeviceKey): Promise<void> {
    const key = this.key(deviceKey);
    await this.redis.multi().hincrby(key, 'tasks', 1).pexpire(key, TTL_MS).exec();
  }

  /** The device's credentials (or what else the facts hold) changed: the next session reads them from the database. */
  async invalidate(deviceKey: DeviceKey): Promise<void> {
    const key = this.key(deviceKey);
    await this.redis.multi().hincrby(key, 'ver', 1).hdel(key, 'cred', 'pending', 'hash', 'ev').pexpire(key, TTL_MS).exec();
  }
}

function refOf(e: EventRef): EventRef {
  return { id: e.id, code: e.code, commandKey: e.commandKey, time: e.time, sessionId: e.sessionId };
}

/**
 * The device store as the rest of the process sees it: every write that
 * changes a device's facts also invalidates them in Redis.
 */
export class FactsAwareStore implements DeviceStore {
  constructor(
    private readonly inner: DeviceStore,
    private readonly facts: DeviceFactsCache,
  ) {}

  get sql(): DeviceStore['sql'] {
    return this.inner.sql;
  }
  /** The inner store finds expired tasks: told there, whichever of the two it was set on. */
  get onTasksExpired(): DeviceStore['onTasksExpired'] {
    return this.inner.onTasksExpired;
  }
  set onTasksExpired(fn: DeviceStore['onTasksExpired']) {
    this.inner.onTasksExpired = fn;
  }
  migrate = (): Promise<void> => this.inner.migrate();
  close = (): Promise<void> => this.inner.close();
  commitSession: DeviceStore['commitSession'] = (r) => this.inner.commitSession(r);
  touchDevices: DeviceStore['touchDevices'] = (e) => this.inner.touchDevices(e);
  pendingRequests: DeviceStore['pendingRequests'] = (k) => this.inner.pendingRequests(k);
  listDevices: DeviceStore['listDevices'] = (o) => this.inner.listDevices(o);
  getDevice: DeviceStore['getDevice'] = (k) => this.inner.getDevice(k);
  getParameters: DeviceStore['getParameters'] = (k, p) => this.inner.getParameters(k, p);
  getParametersUnder: DeviceStore['getParametersUnder'] = (k, p) => this.inner.getParametersUnder(k, p);
  setTags: DeviceStore['setTags'] = (k, a, r) => this.inner.setTags(k, a, r);
  getTags: DeviceStore['getTags'] = (k) => this.inner.getTags(k);
  getChannelFaults: DeviceStore['getChannelFaults'] = (k) => this.inner.getChannelFaults(k);
  getCpeCredentials: DeviceStore['getCpeCredentials'] = (k) => this.inner.getCpeCredentials(k);
  acknowledgeInform: DeviceStore['acknowledgeInform'] = (a) => this.inner.acknowledgeInform(a);
  appendHistory: DeviceStore['appendHistory'] = (k, e) => this.inner.appendHistory(k, e);
  pendingEvents: DeviceStore['pendingEvents'] = (k) => this.inner.pendingEvents(k);
  getProvisioningFacts: DeviceStore['getProvisioningFacts'] = (k) => this.inner.getProvisioningFacts(k);

  /** An operator retry: the next Inform must not end as a quiet session that skips the channel. */
  async clearChannelFault(deviceKey: DeviceKey, channel: string): Promise<boolean> {
    const cleared = await this.inner.clearChannelFault(deviceKey, channel);
    if (cleared) await this.facts.invalidate(deviceKey);
    return cleared;
  }

  async enqueueRequest(deviceKey: DeviceKey, request: Parameters<DeviceStore['enqueueRequest']>[1]): Promise<number> {
    const id = await this.inner.enqueueRequest(deviceKey, request);
    await this.facts.markPending(deviceKey);
    return id;
  }

  /** The device's cached facts go with it: its next Inform must find it new. */
  async deleteDevice(deviceKey: DeviceKey): Promise<boolean> {
    const deleted = await this.inner.deleteDevice(deviceKey);
    if (deleted) await this.facts.invalidate(deviceKey);
    return deleted;
  }

  async setCpeCredentials(deviceKey: DeviceKey, credentials: CpeCredentials | null): Promise<void> {
    await this.inner.setCpeCredentials(deviceKey, credentials);
    await this.facts.invalidate(deviceKey);
  }
}
