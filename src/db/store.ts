/**
 * DeviceStore over TypeORM, for MySQL/MariaDB and SQLite. Writes go through
 * one transaction each; on SQLite every call is serialized (see Serializer).
 */
import { deleteDevice } from './device-delete';
import type { DataSource } from 'typeorm';
import type { CpeRequest } from '../cwmp/soap/types';
import type { TaskName } from '../tasks/types';
import type {
  CachedParameter, ChannelFault, CpeCredentials, DeviceDetail, DeviceKey, DeviceStore, DeviceSummary, HistoryEntry, InformAcknowledgement, InformAcknowledged,
  CommitOutcome, ExpiredTask, PendingEvent, PendingRequest, ProvisioningFacts, SessionResult, SqlAccess,
} from './types';
import { acknowledgeInform } from './acknowledge';
import { eventsOf, pendingEventsRead } from './events';
import { checkChannel, deleteChannelFault, readChannelFaults } from './channel-faults';
import { appendHistory, ensureDevice } from './device-row';
import type { StoreLogger } from './logger';
import { runMigrations } from './migrate';
import * as reads from './reads';
import { insertTask, openTasksOf, openTasksRead } from './tasks';
import { batched, DEVICE_READS } from './coalesce';
import { applySessionResult } from './session-result';
import { chunks, closeTransactionPool, inTransaction, placeholders, Serializer, withDb, type Db, type Driver } from './sql';
import { applyTags, readTags } from './tags';

export class SqlDeviceStore implements DeviceStore {
  private readonly serializer: Serializer | null;
  readonly sql: SqlAccess;

  constructor(
    private readonly ds: DataSource,
    readonly driver: Driver,
    private readonly logger?: StoreLogger,
  ) {
    this.serializer = driver === 'sqlite' ? new Serializer() : null;
    this.sql = {
      driver,
      autocommit: (fn) => this.exclusive(() => withDb(this.ds, this.driver, fn)),
      transaction: (fn) => this.exclusive(() => this.transaction(fn)),
    };
  }

  migrate(): Promise<void> {
    return this.exclusive(() => runMigrations(this.ds, this.driver));
  }

  close(): Promise<void> {
    return this.exclusive(async () => {
      await closeTransactionPool(this.ds);
      await this.ds.destroy();
    });
  }

  commitSession(result: SessionResult): Promise<CommitOutcome> {
    return this.exclusive(async () => {
      const started = Date.now();
      const { valueChanges, firstInform, ...stats } = await this.transaction((db) => applySessionResult(db, result));
      this.logger?.debug({ deviceKey: result.deviceKey, ...stats, changed: valueChanges.length, ms: Date.now() - started }, 'session committed');
      return { valueChanges, firstInform };
    });
  }

  acknowledgeInform(ack: InformAcknowledgement): Promise<InformAcknowledged> {
    return this.exclusive(() => this.transaction((db) => acknowledgeInform(db, ack)));
  }

  appendHistory(deviceKey: DeviceKey, entries: HistoryEntry[]): Promise<void> {
    return this.exclusive(() => this.transaction((db) => appendHistory(db, deviceKey, entries)));
  }

  async pendingEvents(deviceKey: DeviceKey): Promise<PendingEvent[]> {
    return eventsOf((await batched(this.sql, DEVICE_READS, pendingEventsRead(deviceKey))).rows);
  }

  getProvisioningFacts(deviceKey: DeviceKey): Promise<ProvisioningFacts> {
    return this.exclusive(() => withDb(this.ds, this.driver, (db) => reads.getProvisioningFacts(db, deviceKey)));
  }

  touchDevices(entries: { deviceKey: DeviceKey; time: number }[]): Promise<void> {
    const greatest = this.driver === 'mysql' ? 'GREATEST' : 'MAX';
    return this.exclusive(async () => {
      for (const batch of chunks(entries, 500)) {
        const cases = batch.map(() => 'WHEN ? THEN ?').join(' ');
        const sql = `UPDATE devices SET last_inform = ${greatest}(COALESCE(last_inform, 0), CASE device_key ${cases} END)
          WHERE device_key IN ${placeholders(batch.length)}`;
        const params = [...batch.flatMap((e) => [e.deviceKey, e.time]), ...batch.map((e) => e.deviceKey)];
        await withDb(this.ds, this.driver, (db) => db.run(sql, params));
      }
    });
  }

  async pendingRequests(deviceKey: DeviceKey): Promise<PendingRequest[]> {
    const now = Date.now();
    return openTasksOf(this.sql, (await batched(this.sql, DEVICE_READS, openTasksRead(deviceKey))).rows, now, this.onTasksExpired);
  }

  onTasksExpired?: (tasks: ExpiredTask[]) => void;

  enqueueRequest(deviceKey: DeviceKey, request: CpeRequest): Promise<number> {
    const name = (request.method.charAt(0).toLowerCase() + request.method.slice(1)) as TaskName;
    return this.sql.autocommit((db) => insertTask(db, deviceKey, { name, args: {}, request }, {}, Date.now()));
  }

  listDevices(options?: { limit?: number; offset?: number }): Promise<DeviceSummary[]> {
    return this.exclusive(() => reads.listDevices(this.ds, options));
  }

  getDevice(deviceKey: DeviceKey): Promise<DeviceDetail | null> {
    return this.exclusive(() => withDb(this.ds, this.driver, (db) => reads.getDevice(this.ds, db, deviceKey)));
  }

  getParameters(deviceKey: DeviceKey, prefix?: string): Promise<CachedParameter[]> {
    return this.exclusive(() => withDb(this.ds, this.driver, (db) => reads.getParameters(db, deviceKey, prefix)));
  }

  getParametersUnder(deviceKey: DeviceKey, prefixes: string[]): Promise<CachedParameter[]> {
    return this.exclusive(() => withDb(this.ds, this.driver, (db) => reads.getParametersUnder(db, deviceKey, prefixes)));
  }

  /** Adds, then removes (a tag in both lists ends up removed). Creates a bare device row if needed. */
  setTags(deviceKey: DeviceKey, add: string[], remove: string[]): Promise<void> {
    return this.exclusive(() =>
      this.transaction(async (db) => {
        const deviceId = await ensureDevice(db, deviceKey);
        await applyTags(db, deviceId, add, remove);
      }),
    );
  }

  getTags(deviceKey: DeviceKey): Promise<string[]> {
    return this.exclusive(() => withDb(this.ds, this.driver, (db) => readTags(db, deviceKey)));
  }

  getChannelFaults(deviceKey: DeviceKey): Promise<ChannelFault[]> {
    return this.exclusive(() => withDb(this.ds, this.driver, (db) => readChannelFaults(db, deviceKey)));
  }

  deleteDevice(deviceKey: DeviceKey): Promise<boolean> {
    return this.sql.transaction((db) => deleteDevice(db, deviceKey));
  }

  clearChannelFault(deviceKey: DeviceKey, channel: string): Promise<boolean> {
    return this.exclusive(async () => {
      checkChannel(channel);
      return this.transaction((db) => deleteChannelFault(db, deviceKey, channel));
    });
  }

  /** Stored in clear: HTTP Digest needs the password itself (or an HA1 bound to one realm). */
  setCpeCredentials(deviceKey: DeviceKey, credentials: CpeCredentials | null): Promise<void> {
    return this.exclusive(() =>
      this.transaction(async (db) => {
        const deviceId = await ensureDevice(db, deviceKey);
        const values = [credentials?.username ?? null, credentials?.password ?? null, deviceId];
        await db.run('UPDATE devices SET cpe_username = ?, cpe_password = ? WHERE id = ?', values);
      }),
    );
  }

  async getCpeCredentials(deviceKey: DeviceKey): Promise<CpeCredentials | null> {
    const read = { sql: 'SELECT cpe_username, cpe_password FROM devices WHERE device_key = ?', params: [deviceKey] };
    const [row] = (await batched(this.sql, DEVICE_READS, read)).rows;
    if (!row || row.cpe_username === null) return null;
    return { username: String(row.cpe_username), password: String(row.cpe_password ?? '') };
  }

  private transaction<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    return inTransaction(this.ds, this.driver, fn);
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.serializer ? this.serializer.run(fn) : fn();
  }
}
