/**
 * A measurement of the fleet reports on a generated dataset: `devices`
 * devices with `hourDays` days of 1h rows and `dayDays` days of 1d rows of
 * a four-column profile (bytes received and sent, errors, CPU), written
 * straight into the rollup tables as the series store packs them, then each
 * report kind timed on it.
 *
 *   npx tsx src/qoe/reports/bench.ts [devices=10000] [hourDays=7] [dayDays=30] [mysql url]
 *
 * The database (qoe_reports_bench by default) is dropped and made again.
 */
import { createConnection } from 'mysql2/promise';
import { openStore } from '../../db';
import { placeholders, type Db } from '../../db/sql';
import type { DeviceStore } from '../../db/types';
import { encode } from '../series/codec';
import { Layouts } from '../series/layouts';
import { setMark } from '../series/rollup';
import { DEFAULT_RETENTION } from '../series/tiers';
import type { Column } from '../series/values';
import type { CollectionProfile } from '../types';
import { PARAM_SCHEMAS, type ParamsOf } from './params';
import { ReportService } from './run';
import type { ReportKind } from './types';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ROWS_PER_INSERT = 2_000;

export const BENCH_PROFILE: CollectionProfile = {
  name: 'bench',
  intervalS: 900,
  retention: DEFAULT_RETENTION,
  parameters: [
    { path: 'InternetGatewayDevice.WANDevice.*.WANCommonInterfaceConfig.TotalBytesReceived', kind: 'counter' },
    { path: 'InternetGatewayDevice.WANDevice.*.WANCommonInterfaceConfig.TotalBytesSent', kind: 'counter' },
    { path: 'InternetGatewayDevice.WANDevice.*.WANDSLInterfaceConfig.Stats.Total.CRCErrors', kind: 'counter' },
    { path: 'InternetGatewayDevice.DeviceInfo.ProcessStatus.CPUUsage', kind: 'gauge', alias: 'CPU' },
  ],
};

const COLUMNS: Column[] = BENCH_PROFILE.parameters.map((p) => ({ path: p.path.replace('*', '1'), kind: p.kind, ...(p.alias ? { alias: p.alias } : {}) }));

/** A rolled-up row's values (series/buckets.ts): count, then min, max, avg and (missing: = count) count per column. */
function rowValues(device: number, time: number, frames: number, end: number): number[] {
  const hour = new Date(time).getUTCHours();
  const load = 0.3 + 0.7 * Math.sin((Math.PI * hour) / 24) ** 2;
  const base = 200 + (device % 97) * 40;
  const rx = base * 10 * load;
  // One device in 50 degrades over the last three days.
  const errors = device % 50 === 0 && time >= end - 3 * DAY ? 2 : 0.01;
  const cpu = 10 + (device % 7) * 10 * load;
  return [frames, ...[rx, rx / 10, errors, cpu].flatMap((avg) => [avg * 0.5, avg * 1.5, avg, NaN])];
}

async function insertRows(db: Db, table: string, rows: unknown[][]): Promise<void> {
  await db.run(`INSERT INTO ${table} (stream, time, layout, data) VALUES ${rows.map(() => placeholders(4)).join(',')}`, rows.flat());
}

async function fill(store: DeviceStore, devices: number, table: string, bucketMs: number, start: number, end: number, layout: number): Promise<number> {
  let rows: unknown[][] = [];
  let written = 0;
  await store.sql.autocommit(async (db) => {
    for (let d = 1; d <= devices; d++) {
      for (let t = start; t < end; t += bucketMs) {
        rows.push([d, t, layout, encode(rowValues(d, t, bucketMs / 900_000, end), () => true)]);
        if (rows.length === ROWS_PER_INSERT) {
          await insertRows(db, table, rows);
          written += rows.length;
          rows = [];
        }
      }
    }
    if (rows.length > 0) await insertRows(db, table, rows);
  });
  return written + rows.length;
}

async function seedDevices(store: DeviceStore, devices: number, lastTime: number): Promise<void> {
  await store.sql.autocommit(async (db) => {
    for (let lo = 1; lo <= devices; lo += ROWS_PER_INSERT) {
      const ids = Array.from({ length: Math.min(ROWS_PER_INSERT, devices - lo + 1) }, (_, i) => lo + i);
      const key = (i: number) => `00D09E-PC${i % 5}-B${i}`;
      await db.run(`INSERT INTO devices (device_key, manufacturer, oui, product_class, serial_number, software_version) VALUES ${ids.map(() => placeholders(6)).join(',')}`,
        ids.flatMap((i) => [key(i), 'Bench', '00D09E', `PC${i % 5}`, `B${i}`, `1.${i % 3}`]));
      await db.run(`INSERT INTO qoe_streams (id, device_key, profile, last_time) VALUES ${ids.map(() => placeholders(4)).join(',')}`, ids.flatMap((i) => [i, key(i), 'bench', lastTime]));
    }
  });
}

async function recreate(url: string): Promise<void> {
  const u = new URL(url);
  const name = u.pathname.slice(1);
  u.pathname = '/';
  const c = await createConnection(u.toString());
  await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
  await c.end();
}

async function seed(store: DeviceStore, devices: number, hourDays: number, dayDays: number, end: number): Promise<void> {
  const t0 = Date.now();
  await seedDevices(store, devices, end - HOUR);
  const [layout] = await store.sql.autocommit((db) => new Layouts().ids(db, [COLUMNS]));
  const hours = await fill(store, devices, 'qoe_1h', HOUR, end - hourDays * DAY, end, layout);
  const days = await fill(store, devices, 'qoe_1d', DAY, end - dayDays * DAY, end, layout);
  await store.sql.autocommit(async (db) => {
    await setMark(db, 'bench', '1h', end);
    await setMark(db, 'bench', '1d', end);
  });
  console.log(`seeded ${devices} devices: ${hours} 1h rows, ${days} 1d rows in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

export async function benchReports(url: string, devices: number, hourDays: number, dayDays: number): Promise<void> {
  await recreate(url);
  const store = await openStore(url);
  try {
    await store.migrate();
    const end = Math.floor(Date.now() / DAY) * DAY;
    await seed(store, devices, hourDays, dayDays, end);
    const service = new ReportService({ sql: store.sql, profiles: (name) => (name === 'bench' ? BENCH_PROFILE : undefined), now: () => end });
    const cases: [ReportKind, Record<string, unknown>][] = [
      ['bandwidth', { profile: 'bench', groupBy: 'productClass', from: end - hourDays * DAY, to: end }],
      ['bandwidth', { profile: 'bench', groupBy: 'tag', from: end - dayDays * DAY, to: end }],
      ['top-talkers', { profile: 'bench', limit: 100, from: end - dayDays * DAY, to: end }],
      ['percentiles', { profile: 'bench', series: 'CPU', groupBy: 'softwareVersion', from: end - hourDays * DAY, to: end }],
      ['degrading', { profile: 'bench', to: end, window: '3d', minIncrease: '1/min' }],
    ];
    for (const [kind, query] of cases) {
      const r = await service.run(kind, PARAM_SCHEMAS[kind].parse(query) as ParamsOf<typeof kind>);
      const mem = Math.round(process.memoryUsage().rss / 2 ** 20);
      console.log(`${kind} ${JSON.stringify({ ...query, profile: undefined, from: undefined, to: undefined })} ${r.resolution} over ${Math.round((r.to - r.from) / DAY)} d: ` +
        `${r.cost.ms} ms, ${r.cost.rows} rows, ${r.cost.statements} statements, ${r.rows.length} result rows, rss ${mem} MiB`);
    }
  } finally {
    await store.close();
  }
}

if (process.argv[1]?.endsWith('reports/bench.ts')) {
  const [devices = '10000', hourDays = '7', dayDays = '30', url = 'mysql://root@127.0.0.1:3306/qoe_reports_bench'] = process.argv.slice(2);
  benchReports(url, Number(devices), Number(hourDays), Number(dayDays)).catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
