/**
 * A device's order across the jobs of first attempts. The fan-out (one
 * reader at a time) names, for each series of a subscription and device's
 * deliveries it queues, the last delivery queued before it (`after`); a
 * worker attempts a series once that one's series is handled (delivered, or
 * stored to be retried), as the marker it leaves says. Two keys per pair,
 * expiring after ORDER_TTL_MS without use.
 */
import type { Redis } from 'ioredis';
import type { Series } from './emitter';

/**
 * How long the markers live. A series whose predecessor left no marker
 * (never handled, or handled longer ago than this) waits for it at most until
 * its own job is this old: a first attempt is not held up that long but when
 * the workers were.
 */
export const ORDER_TTL_MS = 15 * 60_000;

type Keyed = Pick<Series, 'webhook' | 'device'>;
/*
 * One hash tag for every marker: a job's are read with one MGET and set by
 * one script, which on a Redis Cluster may only touch keys of one slot.
 */
const key = (redisPrefix: string, what: 'queued' | 'handled', s: Keyed) => `${redisPrefix}webhooks:{order}:${what}:${s.webhook}:${s.device}`;

/** The fan-out: the last delivery queued before each series (series of no device: none). */
export async function lastQueued(redis: Redis, redisPrefix: string, series: Keyed[]): Promise<(string | null)[]> {
  const keyed = series.filter((s) => s.device !== null);
  const found = keyed.length === 0 ? [] : await redis.mget(keyed.map((s) => key(redisPrefix, 'queued', s)));
  // "<delivery> <place>" (a marker of an older version: the delivery alone).
  const bySeries = new Map(keyed.map((s, i) => [s, found[i]?.split(' ')[0] ?? null]));
  return series.map((s) => bySeries.get(s) ?? null);
}

/**
 * The fan-out, once their jobs are queued: each series' last delivery is the
 * one the next must follow, unless the marker names a delivery of a later
 * event. `placeOf`: a delivery's event's place in the stream, as
 * "<entry id>/<index in the entry>". After a lease handover the old holder,
 * finishing a read, marked its series after the new holder had queued later
 * deliveries of the same device (it read the entries again, with later
 * ones): the marker went back to an earlier delivery, and the device's next
 * series, following that one, went before those later deliveries.
 */
export async function markQueued(redis: Redis, redisPrefix: string, series: Series[], placeOf: (delivery: string) => string): Promise<void> {
  const keyed = series.filter((s) => s.device !== null);
  if (keyed.length === 0) return;
  const last = keyed.map((s) => s.deliveries[s.deliveries.length - 1].id);
  await redis.eval(MARK_QUEUED, keyed.length, ...keyed.map((s) => key(redisPrefix, 'queued', s)), ...last.map((id) => `${id} ${placeOf(id)}`), ORDER_TTL_MS);
}

/** A worker, once the series are delivered or stored to be retried: the series after them may go. */
export async function markHandled(redis: Redis, redisPrefix: string, series: Series[]): Promise<void> {
  const keyed = series.filter((s) => s.device !== null);
  if (keyed.length === 0) return;
  const keys = keyed.map((s) => key(redisPrefix, 'handled', s));
  await redis.eval(MARK, keys.length, ...keys, ...keyed.map((s) => s.deliveries[s.deliveries.length - 1].id), ORDER_TTL_MS);
}

/**
 * Whether each series may be attempted now: 'go' once its predecessor is
 * handled (or this series was, by an earlier run of its job); 'wait' until
 * then; 'late' when it has waited (since `waitingSince`) longer than the
 * markers live while the marker names another series (one that went before
 * it, its own job being held up, e.g. retried through a database outage): it
 * goes, or it would wait as long as its device keeps the marker alive, but
 * leaves the marker alone, which the series after that other one follow.
 *
 * The slow path: a series whose marker is missing or names another asks
 * `logged` (one SELECT for the job) whether its predecessor has a row in the
 * delivery log. A series' rows are written when it is handled (delivered,
 * skipped, failed, or stored pending to be retried), before its marker: a
 * row in any state means handled. Without it, a device whose events came
 * just under the markers' life apart found its predecessor's marker expired
 * and waited the whole 15 minutes. Found with no marker, the series goes and
 * marks (as if the marker had not expired); found beside a marker naming
 * another series, it goes 'late' (that marker is left to the series after it).
 */
export type MayGo = 'go' | 'wait' | 'late';

/** Which of these delivery ids have a row in the delivery log (WebhookStore.logged). */
export type Logged = (ids: string[]) => Promise<Set<string>>;

export async function mayGo(redis: Redis, redisPrefix: string, series: Series[], queuedAt: number, waitingSince?: number, logged?: Logged): Promise<MayGo[]> {
  const following = series.filter((s) => s.after !== null);
  const handled = following.length === 0 ? [] : await redis.mget(following.map((s) => key(redisPrefix, 'handled', s)));
  const bySeries = new Map(following.map((s, i) => [s, handled[i] ?? null]));
  const expired = Date.now() - queuedAt > ORDER_TTL_MS;
  // Measured from the first wait, not the job's age: behind a backlog older than the markers, a series still waits for a predecessor being handled.
  const waitedTooLong = waitingSince !== undefined && Date.now() - waitingSince > ORDER_TTL_MS;
  const byMarker = series.map((s): MayGo | 'ask' => {
    if (s.after === null) return 'go';
    const last = bySeries.get(s) ?? null;
    if (last === null) return expired ? 'go' : 'ask';
    if (last === s.after || s.deliveries.some((d) => d.id === last)) return 'go';
    return waitedTooLong ? 'late' : 'ask';
  });
  const asking = series.filter((_s, i) => byMarker[i] === 'ask').map((s) => s.after as string);
  const found = asking.length === 0 || !logged ? new Set<string>() : await logged(asking);
  return series.map((s, i) => {
    const m = byMarker[i];
    if (m !== 'ask') return m;
    if (!found.has(s.after as string)) return 'wait';
    return bySeries.get(s) === null ? 'go' : 'late';
  });
}

/** The first wait of a series or delivery for its predecessor, and the longest. */
export const ORDER_WAIT_MS = 250;
export const ORDER_WAIT_MAX_MS = 30_000;

/** `ms` within [floor, ORDER_WAIT_MAX_MS]. */
export function orderWait(ms: number, floor = ORDER_WAIT_MS): number {
  return Math.min(Math.max(ms, floor), Math.max(floor, ORDER_WAIT_MAX_MS));
}

/**
 * How long a series found waiting looks again after: half as long as it has
 * waited so far (from the floor up to the cap). Its predecessor is not
 * stored yet (no row tells when it moves): looks grow geometrically while a
 * receiver outage or a backlog holds it up (about 20 in a minute's wait,
 * then two a minute, where every 250 ms made 240 a minute), and a series
 * goes at most half its wait (at most the cap) after its predecessor.
 */
export function seriesWait(waitingSince: number, floor = ORDER_WAIT_MS, now = Date.now()): number {
  return orderWait((now - waitingSince) / 2, floor);
}

// Sets KEYS[i] to ARGV[i], expiring in ARGV[#KEYS + 1] ms: one command for a job's series (a pipeline of SETs cost an ioredis command each).
const MARK = `for i, key in ipairs(KEYS) do redis.call('SET', key, ARGV[i], 'PX', ARGV[#KEYS + 1]) end
return #KEYS`;

/*
 * MARK for the "queued" markers, whose values are "<delivery> <ms>-<seq>/<index>":
 * KEYS[i] is set to ARGV[i] unless it names a later place (a stream entry
 * id, then the event's index in it); a marker of no place (an older
 * version's) is replaced.
 */
const MARK_QUEUED = `local function place(v)
  local ms, seq, i = string.match(v, ' (%d+)%-(%d+)/(%d+)$')
  if not ms then return nil end
  return { tonumber(ms), tonumber(seq), tonumber(i) }
end
local function before(a, b)
  for j = 1, 3 do if a[j] ~= b[j] then return a[j] < b[j] end end
  return false
end
for i, key in ipairs(KEYS) do
  local new, current = place(ARGV[i]), redis.call('GET', key)
  local old = current and place(current)
  if not (new and old and before(new, old)) then redis.call('SET', key, ARGV[i], 'PX', ARGV[#KEYS + 1]) end
end
return #KEYS`;
