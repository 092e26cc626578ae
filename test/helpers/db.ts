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

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/acs_test';
export type DriverName = 'mysql' | 'sqlite';
export const DRIVERS: DriverName[] = ['mysql', 'sqlite'];

/** The MySQL test URL with another database name. */
export function mysqlUrl(database: string): string {
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function dropMysqlDatabase(url: string): Promise<void> {
  const u = new URL(url);
  const name = u.pathname.replace(/^\//, '');
  u.pathname = '/';
  const connection = await mysql.createConnection(u.toString());
  try {
    await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
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
 * Declares `body` once per driver, on a fresh database: MySQL `database`
 * (dropped first), or an SQLite file in a new temp dir.
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
          await dropMysqlDatabase(ctx.url);
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
