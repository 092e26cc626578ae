/**
 * The data of bench (q): 100,000 TR-098 devices with 500 cached parameters
 * each (50 million device_parameters rows), written straight into a MariaDB
 * database with the real schema (the migrations) by LOAD DATA LOCAL INFILE,
 * in primary-key order. Generating takes minutes, so the database is kept and
 * reused while its marker names the same recipe (DATA_VERSION).
 *
 * What the searches of bench (q) find, by construction (device i, 0-based):
 * - product class: PRODUCT_CLASSES[i % 10] (10 % each); the last 50 devices
 *   are "RARE-1" instead (a search that must read the whole fleet);
 * - tags: region-<i % 8> on every device, "vip" on i % 20 == 0 (5 %);
 * - InternetGatewayDevice.DeviceInfo.SoftwareVersion: VERSIONS[hash % 8];
 * - last Inform spread evenly over the 30 days before EPOCH, first Inform over the year before.
 */
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import mysql from 'mysql2/promise';
import { openStore } from '../db';
import { MIGRATIONS } from '../db/migrations';

/**
 * The recipe and the schema it was loaded into: a new migration means new
 * data, never a migration of the kept 50 million rows (its DDL would run for
 * minutes holding the migration lock every ACS and test on the server waits for).
 */
export const DATA_VERSION = `q1: 100000 devices x 500 params, schema ${MIGRATIONS[MIGRATIONS.length - 1].name}`;
export const DEVICES = 100_000;
export const PARAMS_PER_DEVICE = 500;
/** A fixed "now" so the data, and the searches' answers, are the same on every machine. */
export const EPOCH = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;
export const PRODUCT_CLASSES = ['HG8245H', 'EG8145V5', 'F660', 'H199A', 'G-1425G-A', 'BM632w', 'XX230v', 'EX220', 'HG8546M', 'AX3000'];
export const VERSIONS = ['1.0.3', '1.2.0', '1.9.7', '1.10.1', '2.0.0', '2.1.5', '3.0.0', '3.2.1'];
export const RARE = { productClass: 'RARE-1', count: 50 };
const OUIS = ['00259E', '1C61B4', 'C0B101', '9075BC', '202BC1'];
const SOFTWARE_VERSION = 'InternetGatewayDevice.DeviceInfo.SoftwareVersion';
const DEVICES_PER_LOAD = 2_000;

export interface DeviceSpec {
  id: number;
  key: string;
  oui: string;
  productClass: string;
  serial: string;
  softwareVersion: string;
  firstInform: number;
  lastInform: number;
  tags: string[];
}

/** A well-mixed 32-bit hash of the device number: the "random" but repeatable parts of the data. */
function mix(i: number): number {
  let h = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export function deviceSpec(i: number): DeviceSpec {
  const h = mix(i);
  const productClass = i >= DEVICES - RARE.count ? RARE.productClass : PRODUCT_CLASSES[i % PRODUCT_CLASSES.length];
  const oui = OUIS[i % OUIS.length];
  const serial = `SN${String(i).padStart(8, '0')}`;
  return {
    id: i + 1,
    key: `${oui}-${encodeURIComponent(productClass).replace(/-/g, '%2D')}-${serial}`,
    oui,
    productClass,
    serial,
    softwareVersion: VERSIONS[h % VERSIONS.length],
    lastInform: EPOCH - Math.floor(((h >>> 3) / 2 ** 29) * 30 * DAY),
    firstInform: EPOCH - 30 * DAY - Math.floor((i / DEVICES) * 335 * DAY),
    tags: [`region-${i % 8}`, ...(i % 20 === 0 ? ['vip'] : [])],
  };
}

interface Leaf {
  path: string;
  value: string;
  type: string;
  writable: number;
}

/** 500 leaves of a real TR-098 device's model (its CSV dump), SoftwareVersion among them, in byte order (the primary key's). */
export function leavesOf(csvFile: string): Leaf[] {
  const line = /^(InternetGatewayDevice\.[^,]+),false,[^,]*,(true|false),[^,]*,"((?:[^"]|"")*)",(xsd:\w+),/;
  const all: Leaf[] = [];
  for (const text of readFileSync(csvFile, 'utf8').split('\n')) {
    const m = line.exec(text);
    if (m) all.push({ path: m[1], writable: m[2] === 'true' ? 1 : 0, value: m[3].replace(/""/g, '"'), type: m[4] });
  }
  const sw = all.find((l) => l.path === SOFTWARE_VERSION);
  if (!sw || all.length < PARAMS_PER_DEVICE) throw new Error(`${csvFile}: needs ${PARAMS_PER_DEVICE} InternetGatewayDevice leaves, SoftwareVersion among them`);
  const chosen = [sw, ...all.filter((l) => l !== sw).slice(0, PARAMS_PER_DEVICE - 1)];
  return chosen.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** LOAD DATA's default text format: tab-separated, backslash escapes, \N for NULL. */
function field(v: string | number | null): string {
  if (v === null) return '\\N';
  return typeof v === 'number' ? String(v) : v.replace(/[\\\t\n]/g, (c) => (c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\\\'));
}

function parameterLines(d: DeviceSpec, leaves: Leaf[]): string {
  let out = '';
  for (const l of leaves) {
    // Values differ per device where a real fleet's would: the version, and every number (counters, uptimes).
    const value = l.path === SOFTWARE_VERSION ? d.softwareVersion : /^-?\d+$/.test(l.value) ? String(mix(d.id ^ l.path.length) % 100_000) : l.value;
    out += `${d.id}\t${field(l.path)}\tleaf\t${field(value)}\t${l.type}\t${l.writable}\t\\N\t\\N\t${d.lastInform}\t\\N\t\\N\n`;
  }
  return out;
}

/** The parameter rows of devices [from, to) as a stream, a device at a time (LOAD DATA reads it as the file). */
function parameterStream(from: number, to: number, leaves: Leaf[]): Readable {
  let i = from;
  return new Readable({
    read() {
      this.push(i < to ? parameterLines(deviceSpec(i++), leaves) : null);
    },
  });
}

async function insertDevices(conn: mysql.Connection): Promise<void> {
  for (let from = 0; from < DEVICES; from += 1000) {
    const specs = Array.from({ length: Math.min(1000, DEVICES - from) }, (_, k) => deviceSpec(from + k));
    await conn.query(
      'INSERT INTO devices (id, device_key, manufacturer, oui, product_class, serial_number, software_version, first_inform, last_inform) VALUES ?',
      [specs.map((d) => [d.id, d.key, 'Bench', d.oui, d.productClass, d.serial, d.softwareVersion, d.firstInform, d.lastInform])],
    );
    await conn.query('INSERT INTO device_tags (device_id, tag) VALUES ?', [specs.flatMap((d) => d.tags.map((t) => [d.id, t]))]);
  }
}

async function marker(conn: mysql.Connection): Promise<string | null> {
  const [tables] = await conn.query("SHOW TABLES LIKE 'bench_search_data'");
  if ((tables as unknown[]).length === 0) return null;
  const [rows] = await conn.query('SELECT version FROM bench_search_data LIMIT 1');
  return (rows as { version: string }[])[0]?.version ?? null;
}

/**
 * The database of bench (q), generated (into freshly migrated tables) unless
 * its marker says it is there. Returns its URL and how long generating took
 * (0 when reused).
 */
export async function searchDatabase(name: string, csvFile: string, log: (line: string) => void): Promise<{ url: string; generatedS: number }> {
  const url = `mysql://root@127.0.0.1:3306/${name}`;
  const server = await mysql.createConnection({ host: '127.0.0.1', user: 'root' });
  await server.query(`CREATE DATABASE IF NOT EXISTS ${name}`);
  await server.end();
  const conn = await mysql.createConnection({ host: '127.0.0.1', user: 'root', database: name });
  let generatedS = 0;
  try {
    if ((await marker(conn)) !== DATA_VERSION) {
      const t0 = performance.now();
      await generate(name, url, csvFile, log);
      generatedS = (performance.now() - t0) / 1000;
    }
  } finally {
    await conn.end();
  }
  return { url, generatedS };
}

async function generate(name: string, url: string, csvFile: string, log: (line: string) => void): Promise<void> {
  const leaves = leavesOf(csvFile);
  const server = await mysql.createConnection({ host: '127.0.0.1', user: 'root' });
  await server.query(`DROP DATABASE IF EXISTS ${name}`);
  await server.query(`CREATE DATABASE ${name}`);
  await server.end();
  const store = await openStore(url);
  try {
    await store.migrate();
  } finally {
    await store.close();
  }
  let from = 0;
  const conn = await mysql.createConnection({
    host: '127.0.0.1', user: 'root', database: name,
    infileStreamFactory: () => parameterStream(from, Math.min(from + DEVICES_PER_LOAD, DEVICES), leaves),
  });
  try {
    // Bulk load: the keys are unique and the devices exist by construction.
    await conn.query('SET SESSION unique_checks = 0, foreign_key_checks = 0');
    await insertDevices(conn);
    const t0 = performance.now();
    for (; from < DEVICES; from += DEVICES_PER_LOAD) {
      await conn.query({
        sql: `LOAD DATA LOCAL INFILE 'params' INTO TABLE device_parameters
          (device_id, path, kind, value, type, writable, notification, access_list, value_time, names_time, attributes_time)`,
      });
      const done = from + DEVICES_PER_LOAD;
      if (done % 10_000 === 0) log(`  (q) data: ${done} devices, ${((done * PARAMS_PER_DEVICE) / ((performance.now() - t0) / 1000) / 1000).toFixed(0)}k rows/s`);
    }
    await conn.query('CREATE TABLE bench_search_data (version VARCHAR(255) NOT NULL)');
    await conn.query('INSERT INTO bench_search_data (version) VALUES (?)', [DATA_VERSION]);
  } finally {
    await conn.end();
  }
}
