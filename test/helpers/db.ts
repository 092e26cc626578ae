/**
 * Device store test helpers: run a suite against both drivers (MariaDB/MySQL
 * and SQLite), build SessionResults, load the sample device models.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import type { ParameterValueStruct, XsdType } from '../../src/cwmp/soap/types';
import { openStore } from '../../src/db';
import type { CacheOp, DeviceStore, SessionResult } from '../../src/db/types';
import { deviceKeyOf } from '../../src/model/device-key';
import { slotted } from './worker-slot';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/acs_test';
export type DriverName = 'mysql' | 'sqlite';
export const DRIVERS: DriverName[] = ['mysql', 'sqlite'];

/**
 * The MySQL test URL with another database name, made this test process's own
 * (`<database>_w<slot>`, see worker-slot.ts): files running at the same time
 * in parallel workers never share a database, whatever names they chose.
 */
export function mysqlUrl(database: string): string {
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${slotted(database)}`;
  return url.toString();
}

/** The database name of a MySQL URL (what mysqlUrl made of a name). */
export function databaseOf(url: string): string {
  return new URL(url).pathname.replace(/^\//, '');
}

/** A connection to the server of a MySQL URL (no database selected) and the URL's database name. */
async function serverOf(url: string): Promise<{ connection: mysql.Connection; name: string }> {
  const u = new URL(url);
  const name = u.pathname.replace(/^\//, '');
  u.pathname = '/';
  // Multiple statements: a schema copy is one round trip. Rows come back as they are stored (no Date, number or JSON parsing).
  const connection = await mysql.createConnection({
    uri: u.toString(), multipleStatements: true, dateStrings: true, supportBigNumbers: true, bigNumberStrings: true,
    typeCast: (field, next) => (field.type === 'JSON' ? field.string() : next()),
  });
  return { connection, name };
}

export async function dropMysqlDatabase(url: string): Promise<void> {
  const { connection, name } = await serverOf(url);
  try {
    await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
  } finally {
    await connection.end();
  }
}

/** What every migration leaves in an empty database: the database's defaults, each table's DDL, and the rows they hold. */
interface MigratedSchema {
  createDatabase: string;
  tables: { name: string; ddl: string; rows: Record<string, unknown>[] }[];
}

let migratedSchema: Promise<MigratedSchema> | null = null;

/** Migrates a database of this process once (on the test server), reads its schema and drops it. */
function schemaOfMigrations(): Promise<MigratedSchema> {
  migratedSchema ??= (async () => {
    const url = mysqlUrl(`acs_test_schema_${process.pid}`);
    await dropMysqlDatabase(url);
    const store = await openStore(url);
    try {
      await store.migrate();
    } finally {
      await store.close();
    }
    const { connection, name } = await serverOf(url);
    try {
      const [[db]] = (await connection.query(`SHOW CREATE DATABASE \`${name}\``)) as [Record<string, string>[], unknown];
      const [names] = (await connection.query(
        "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ? AND table_type = 'BASE TABLE' ORDER BY table_name", [name],
      )) as [{ name: string }[], unknown];
      const tables: MigratedSchema['tables'] = [];
      for (const table of names) {
        const [[create]] = (await connection.query(`SHOW CREATE TABLE \`${name}\`.\`${table.name}\``)) as [Record<string, string>[], unknown];
        const [rows] = (await connection.query(`SELECT * FROM \`${name}\`.\`${table.name}\``)) as [Record<string, unknown>[], unknown];
        tables.push({ name: table.name, ddl: create['Create Table'], rows });
      }
      await connection.query(`DROP DATABASE \`${name}\``);
      return { createDatabase: db['Create Database'], tables };
    } finally {
      await connection.end();
    }
  })().catch((err: unknown) => {
    // The next suite tries again rather than failing on this one's error.
    migratedSchema = null;
    throw err;
  });
  return migratedSchema;
}

/**
 * Drops the database of a MySQL URL and makes it again with every migration
 * applied, as `store.migrate()` on an empty database would leave it: its
 * tables are created from the DDL of a database this process migrated once,
 * with that database's rows (the migrations table). Running the migrations
 * took 2-7 s on a loaded MariaDB; this took 0.3-0.6 s. A later `migrate()`
 * finds nothing to do.
 * test/integration/db/schema.test.ts runs the migrations themselves.
 */
export async function freshMigratedMysqlDatabase(url: string): Promise<void> {
  const schema = await schemaOfMigrations();
  const { connection, name } = await serverOf(url);
  try {
    const createDatabase = schema.createDatabase.replace(/^CREATE DATABASE `[^`]+`/, `CREATE DATABASE \`${name}\``);
    // Foreign key checks off: the tables are created in name order, some before the tables they reference.
    const tables = schema.tables.map((t) => `${t.ddl};`).join('\n');
    await connection.query(`DROP DATABASE IF EXISTS \`${name}\`; ${createDatabase}; USE \`${name}\`; SET FOREIGN_KEY_CHECKS = 0;\n${tables}\nSET FOREIGN_KEY_CHECKS = 1`);
    for (const table of schema.tables.filter((t) => t.rows.length > 0)) {
      const columns = Object.keys(table.rows[0]);
      await connection.query(`INSERT INTO \`${table.name}\` (${columns.map((c) => `\`${c}\``).join(', ')}) VALUES ?`, [table.rows.map((r) => columns.map((c) => r[c]))]);
    }
  } finally {
    await connection.end();
  }
}

export interface StoreContext {
  driver: DriverName;
  url: string;
  /** The suite's store, opened and migrated in before(). */
  store: DeviceStore;
  /** Debug objects the store logged (one per committed session). */
  logged: Record<string, unknown>[];
}

/**
 * Declares `body` once per driver, on a fresh migrated database: MySQL
 * `database` (made again, see freshMigratedMysqlDatabase), or an SQLite file
 * in a new temp dir.
 */
export function describeEachDriver(title: string, database: string, body: (ctx: StoreContext) => void): void {
  for (const driver of DRIVERS) {
    describe(`${title} [${driver}]`, function () {
      this.timeout(120_000);
      // The store is opened in before(); suites only touch ctx.store inside hooks and tests.
      const ctx = { driver, url: '', logged: [] } as unknown as StoreContext;
      let dir = '';
      before(async () => {
        if (driver === 'mysql') {
          ctx.url = mysqlUrl(database);
          await freshMigratedMysqlDatabase(ctx.url);
        } else {
          dir = mkdtempSync(join(tmpdir(), 'acs-db-'));
          ctx.url = `sqlite:${join(dir, 'nested', 'store.sqlite')}`;
        }
        ctx.store = await openStore(ctx.url, { logger: { debug: (obj) => ctx.logged.push({ ...obj }) } });
        await ctx.store.migrate();
      });
      after(async () => {
        await ctx.store?.close();
        if (dir) rmSync(dir, { recursive: true, force: true });
      });
      body(ctx);
    });
  }
}

let serial = 0;

/** A device identity never used before in this process (tests share a database per file). */
export function newDeviceId(prefix = 'SN'): { Manufacturer: string; OUI: string; ProductClass: string; SerialNumber: string } {
  serial += 1;
  return { Manufacturer: 'Acme', OUI: '00D09E', ProductClass: 'HG8245', SerialNumber: `${prefix}${Date.now()}${serial}` };
}

export function pv(Name: string, Value: string, type: XsdType = 'xsd:string'): ParameterValueStruct {
  return { Name, Value, type };
}

export interface SessionSpec {
  deviceId?: ReturnType<typeof newDeviceId>;
  time?: number;
  events?: string[];
  params?: ParameterValueStruct[];
  ops?: CacheOp[];
  history?: SessionResult['history'];
  faults?: SessionResult['faults'];
  tasks?: SessionResult['tasks'];
}

export function session(spec: SessionSpec = {}): SessionResult {
  const deviceId = spec.deviceId ?? newDeviceId();
  const time = spec.time ?? 1_700_000_000_000;
  return {
    sessionId: `s-${time}`,
    deviceKey: deviceKeyOf(deviceId),
    inform: {
      deviceId,
      events: (spec.events ?? ['2 PERIODIC']).map((EventCode) => ({ EventCode, CommandKey: '' })),
      retryCount: 0,
      currentTime: new Date(time).toISOString(),
      parameters: spec.params ?? [],
      remoteAddress: '192.0.2.10',
      cwmpVersion: '1.4',
      time,
    },
    ops: spec.ops ?? [],
    tasks: spec.tasks ?? [],
    faults: spec.faults ?? [],
    history: spec.history ?? [],
  };
}

/**
 * What the session engine does before answering an Inform that is not routine
 * (see DeviceStore.acknowledgeInform): the result, marked fresh if the device's
 * model was emptied (a new device, or a BOOTSTRAP).
 */
export async function acknowledged(store: DeviceStore, result: SessionResult): Promise<SessionResult> {
  const events = result.inform.events.filter((e) => e.EventCode !== '2 PERIODIC').map((e) => ({ code: e.EventCode, commandKey: e.CommandKey }));
  const ack = await store.acknowledgeInform({ sessionId: result.sessionId, deviceKey: result.deviceKey, inform: result.inform, events, history: [] });
  return ack.model === 'stored' ? result : { ...result, fresh: true };
}

export interface SampleRow {
  name: string;
  object: boolean;
  writable: boolean;
  value: string;
  type: string;
}

/** A GenieACS device-model CSV export from ../shared/samples/device-models. */
export function loadSampleModel(file: string): SampleRow[] {
  const text = readFileSync(join(__dirname, '..', '..', '..', 'shared', 'samples', 'device-models', file), 'utf8');
  const [header, ...records] = parseCsv(text);
  const col = (name: string) => header.indexOf(name);
  const [name, object, writable, value, type] = ['Parameter', 'Object', 'Writable', 'Value', 'Value type'].map(col);
  return records
    .filter((r) => r.length === header.length)
    .map((r) => ({ name: r[name], object: r[object] === 'true', writable: r[writable] === 'true', value: r[value], type: r[type] }));
}

/** RFC 4180: quoted fields may hold commas, newlines and doubled quotes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted && c === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (quoted || (c !== ',' && c !== '\n' && c !== '\r')) {
      field += c;
    } else if (c === ',' || c === '\n') {
      row.push(field);
      field = '';
      if (c === '\n') rows.push(row.splice(0));
    }
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}
