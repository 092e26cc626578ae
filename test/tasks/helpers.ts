/**
 * TaskService under test on a store of its own: every SQL statement it sends
 * is recorded (a task POST is a hot path: its round trips are counted), and
 * its connection requests are counted instead of sent.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { DeviceFactsCache } from '../../src/cwmp/session/device-facts';
import type { Db } from '../../src/db/sql';
import type { DeviceStore, SqlAccess } from '../../src/db/types';
import { createLogger } from '../../src/log';
import { TaskService, type TaskServiceDeps } from '../../src/tasks/service';
import { TEST_REDIS_URL } from '../helpers/acs';

export interface ServiceBench {
  service: TaskService;
  /** SQL statements sent since the last reset; a transaction counts as its own statements plus "BEGIN" and "COMMIT". */
  statements: string[];
  /** Devices asked to connect. */
  asked: string[];
}

/** A Db that records each statement before sending it. */
function recording(db: Db, statements: string[]): Db {
  return {
    driver: db.driver,
    select: (sql, params) => (statements.push(sql), db.select(sql, params)),
    run: (sql, params) => (statements.push(sql), db.run(sql, params)),
    runPrepared: (sql, params) => (statements.push(sql), db.runPrepared(sql, params)),
    later: (sql, params) => (statements.push(sql), db.later(sql, params)),
    batch: (list) => (statements.push(...list.map((s) => s.sql)), db.batch(list)),
  };
}

function recordingSql(sql: SqlAccess, statements: string[]): SqlAccess {
  return {
    driver: sql.driver,
    autocommit: (fn) => sql.autocommit((db) => fn(recording(db, statements))),
    async transaction(fn) {
      statements.push('BEGIN');
      const result = await sql.transaction((db) => fn(recording(db, statements)));
      statements.push('COMMIT');
      return result;
    },
  };
}

/** A Redis connection with a prefix of its own for the device facts; close it after the suite. */
export function factsCache(): { facts: DeviceFactsCache; redis: Redis } {
  const redis = new Redis(TEST_REDIS_URL);
  return { facts: new DeviceFactsCache(redis, `acs-test:tasks:${randomBytes(4).toString('hex')}:`), redis };
}

export function serviceBench(store: DeviceStore, facts: DeviceFactsCache, extra: Partial<TaskServiceDeps> = {}): ServiceBench {
  const statements: string[] = [];
  const asked: string[] = [];
  // The store as the service sees it: the same, but its SQL recorded.
  const recorded = Object.create(store, { sql: { value: recordingSql(store.sql, statements) } }) as DeviceStore;
  const connector = { request: async (device: string) => (asked.push(device), { deviceKey: device, outcome: 'ok' as const, via: 'http' as const, message: '', time: Date.now() }) };
  const service = new TaskService({ store: recorded, facts, log: createLogger('silent'), connector, ...extra });
  return { service, statements, asked };
}
