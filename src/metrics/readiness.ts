/**
 * GET /ready: whether this process can do its work now. Redis answers a PING,
 * the database a query, and every migration this code knows is applied (a
 * process of an older release, or one started before a newer release's
 * migrations, would read a schema it does not expect). Each check has its
 * own time limit: a probe must answer even while a dependency hangs.
 */
import type { Redis } from 'ioredis';
import { MIGRATIONS } from '../db/migrations';
import type { SqlAccess } from '../db/types';

/** Longest a probe waits for one dependency: load balancers probe every few seconds with a timeout of about that. */
const CHECK_TIMEOUT_MS = 1_500;

export type CheckName = 'redis' | 'database' | 'migrations';

export interface Readiness {
  ready: boolean;
  /** "ok", or what is wrong: the body of a 503 names it. */
  checks: Record<CheckName, string>;
}

export type ReadinessCheck = () => Promise<Readiness>;

function within<T>(what: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms)));
  // A dependency that answers after the limit must not leave an unhandled rejection behind.
  what.catch(() => undefined);
  return Promise.race([what, late]).finally(() => clearTimeout(timer));
}

const outcome = (p: Promise<string>): Promise<string> => within(p, CHECK_TIMEOUT_MS).catch((err: unknown) => (err instanceof Error ? err.message : String(err)));

async function pingRedis(redis: Redis): Promise<string> {
  const answer = await redis.ping();
  return answer === 'PONG' ? 'ok' : `unexpected answer ${answer}`;
}

/** Every migration name the code knows, as TypeORM records it. */
const KNOWN = MIGRATIONS.map((M) => new M().name as string);

async function database(sql: SqlAccess): Promise<{ database: string; migrations: string }> {
  const rows = await sql.autocommit((db) => db.select('SELECT name FROM migrations'));
  const applied = new Set(rows.map((r) => String(r.name)));
  const missing = KNOWN.filter((name) => !applied.has(name));
  return { database: 'ok', migrations: missing.length === 0 ? 'ok' : `not applied: ${missing.join(', ')}` };
}

/** The readiness of a process using `redis` and `sql`. */
export function readinessOf(redis: Redis, sql: SqlAccess): ReadinessCheck {
  return async () => {
    const [redisState, db] = await Promise.all([
      outcome(pingRedis(redis)),
      within(database(sql), CHECK_TIMEOUT_MS).catch((err: unknown) => {
        const reason = err instanceof Error ? err.message : String(err);
        return { database: reason, migrations: 'unknown: the database did not answer' };
      }),
    ]);
    const checks = { redis: redisState, ...db };
    return { ready: Object.values(checks).every((c) => c === 'ok'), checks };
  };
}
