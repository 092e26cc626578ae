/**
 * `acs task <device> <type> [args]`: a task from the command line of the ACS's
 * machine, through the same TaskService as the REST API (same checks, same
 * storage), with the settings of the environment (DATABASE_URL, REDIS_URL).
 */
import { loadConfig } from '../config/load';
import { DeviceFactsCache } from '../cwmp/session/device-facts';
import { openStore } from '../db';
import type { DeviceStore } from '../db/types';
import { provisionLookup, ScriptStore, StoredScripts } from '../scripts';
import { createFileService, fileOptionsOf, type FileService } from '../files';
import { connectRedis, type RedisHandle } from '../infra/redis';
import { createLogger } from '../log';
import { TaskService, fileDeps, isFinished, type Connector } from './service';
import { TaskWaiter } from './waiter';

export const taskUsage = `usage: acs task <device> <type> [arguments] [options]

Creates a task for a device (as POST /devices/:id/tasks does) and prints it as JSON.
  acs task DEV getParameterValues Device.DeviceInfo.UpTime Device.DeviceInfo.SoftwareVersion
  acs task DEV setParameterValues Device.ManagementServer.PeriodicInformInterval=600 'Device.WiFi.SSID.1.SSID=guest net'
  acs task DEV refreshObject Device.WiFi.          (also addObject, deleteObject: the object name)
  acs task DEV provision set-ssid guest 42         (the provision's name, then its arguments)
  acs task DEV download url=http://fw.example/fw-2.1.bin fileType="1 Firmware Upgrade Image"
  acs task DEV reboot commandKey=maintenance
  acs task DEV --json '{"name": "getParameterNames", "parameterPath": "Device.", "nextLevel": true}'
Other types take field=value pairs (a value that is JSON, e.g. 30 or true, is read as JSON).
options:
  --connection-request   ask the device to connect now
  --timeout MS           wait up to MS for the task to finish (exit 1 if it faults)
  --due TIME             not before TIME (ms since the epoch or ISO 8601)
  --expiry TIME          never after TIME: it expires instead
  --idempotency-key KEY  once per KEY and device: run again with the same KEY, it prints the first task
DEV is the device id (OUI-ProductClass-SerialNumber as GET /devices shows it).`;

interface Parsed {
  device: string;
  body: Record<string, unknown>;
  connectionRequest: boolean;
  timeoutMs: number;
  due?: number;
  expiry?: number;
  idempotencyKey?: string;
}

const VALUED = ['--timeout', '--due', '--expiry', '--json', '--idempotency-key'];

/** The task body a command line stands for; throws with a message naming the argument. */
export function parseTaskArgs(args: string[]): Parsed {
  const options = new Map<string, string>();
  const positional: string[] = [];
  let connectionRequest = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--connection-request') connectionRequest = true;
    else if (VALUED.includes(a)) {
      if (args[i + 1] === undefined) throw new Error(`${a} needs a value`);
      options.set(a, args[++i]);
    } else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else positional.push(a);
  }
  const [device, type, ...rest] = positional;
  if (!device) throw new Error('the device id is missing');
  const json = options.get('--json');
  const body = json !== undefined ? jsonBody(json) : bodyOf(type, rest);
  const parsed: Parsed = { device, body, connectionRequest, timeoutMs: timeOption(options.get('--timeout'), '--timeout') ?? 0 };
  const due = timeOption(options.get('--due'), '--due');
  const expiry = timeOption(options.get('--expiry'), '--expiry');
  if (due !== undefined) parsed.due = due;
  if (expiry !== undefined) parsed.expiry = expiry;
  const key = options.get('--idempotency-key');
  if (key !== undefined) parsed.idempotencyKey = key;
  return parsed;
}

function jsonBody(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`--json is not JSON: ${(err as Error).message}`);
  }
}

function bodyOf(type: string | undefined, rest: string[]): Record<string, unknown> {
  if (!type) throw new Error('the task type is missing (e.g. getParameterValues, reboot; acs task --help)');
  switch (type) {
    case 'getParameterValues':
    case 'getParameterAttributes':
      return { name: type, parameterNames: rest };
    case 'setParameterValues':
      return { name: type, parameterValues: rest.map(assignment) };
    case 'refreshObject':
    case 'addObject':
    case 'deleteObject':
      return { name: type, objectName: rest[0] };
    case 'provision':
      return { name: type, provision: rest[0], args: rest.slice(1) };
    default:
      return { name: type, ...Object.fromEntries(rest.map(field)) };
  }
}

/** "path=value": the value as written (its type comes from the device's cache or the data model). */
function assignment(text: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new Error(`"${text}": expected path=value`);
  return [text.slice(0, eq), text.slice(eq + 1)];
}

function field(text: string): [string, unknown] {
  const [name, value] = assignment(text);
  try {
    return [name, JSON.parse(value) as unknown];
  } catch {
    return [name, value];
  }
}

function timeOption(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  const n = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isSafeInteger(n)) throw new Error(`${name} ${raw}: expected milliseconds or an ISO 8601 time`);
  return n;
}

/** Pieces a task command needs that a process opens; `connector` is given when connection requests can be made. */
export interface TaskCliDeps {
  store: DeviceStore;
  redis: RedisHandle;
  prefix: string;
  provisionsDir: string;
  connector?: Connector | null;
  /** The file store, for download and upload tasks naming a file (fileName). */
  files?: Pick<FileService, 'fileUrl' | 'store' | 'uploadTarget'>;
}

export async function runTaskCommand(args: string[], deps: TaskCliDeps): Promise<number> {
  const p = parseTaskArgs(args);
  const log = createLogger('silent');
  const waiter = p.timeoutMs > 0 ? new TaskWaiter(deps.redis.duplicate(), deps.prefix) : null;
  try {
    const facts = new DeviceFactsCache(deps.redis.redis, deps.prefix);
    // Read once: the command makes one task.
    const stored = new StoredScripts(new ScriptStore(deps.store.sql), { log, pollMs: 0 });
    await stored.start();
    const service = new TaskService({
      store: deps.store, facts, log, waiter, connector: deps.connector, hasProvision: provisionLookup(deps.provisionsDir, stored),
      ...(deps.files ? fileDeps(deps.files) : {}),
    });
    const deadline = Date.now() + p.timeoutMs;
    const created = await service.createAndConnect(p.device, p.body, { due: p.due, expiry: p.expiry, connectionRequest: p.connectionRequest, idempotencyKey: p.idempotencyKey, waitMs: p.timeoutMs });
    const task = p.timeoutMs > 0 ? ((await service.waitFinished(created.task.id, Math.max(1, deadline - Date.now()))) ?? created.task) : created.task;
    console.log(JSON.stringify({ ...task, ...(p.connectionRequest ? { connectionRequest: created.connectionRequest } : {}) }, null, 2));
    return isFinished(task) && task.status !== 'done' ? 1 : 0;
  } finally {
    await waiter?.close();
  }
}

/** `acs task` as the command line runs it: the environment's database and Redis. */
export async function runTask(args: string[]): Promise<void> {
  const config = loadConfig();
  const log = createLogger('silent');
  const redis = await connectRedis({ url: config.redisUrl, privateFallback: false, dataDir: config.dataDir }, { retryMs: 0, log });
  const store = await openStore(config.databaseUrl);
  try {
    await store.migrate();
    const files = createFileService(store.sql, fileOptionsOf(config));
    process.exitCode = await runTaskCommand(args, { store, redis, prefix: config.redisPrefix, provisionsDir: config.provisionsDir, files });
  } finally {
    await store.close();
    await redis.close();
  }
}
