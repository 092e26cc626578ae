import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import type { Config } from './config/load';
import { createCwmpApp } from './cwmp/app';
import { Authenticator } from './cwmp/http/auth';
import type { SessionDeps } from './cwmp/session/context';
import { DeviceFactsCache, FactsAwareStore } from './cwmp/session/device-facts';
import { flushTouched, sweepExpired } from './cwmp/session/sweeper';
import { RedisSessionStore } from './cwmp/session/redis-store';
import { openStore } from './db';
import type { DeviceStore } from './db/types';
import { connectRedis } from './infra/redis';
import { retryAtStartup } from './infra/startup-retry';
import { createLogger, type Logger } from './log';
import { createNbiApp } from './nbi/app';
import { presetRegistry, startEngineClient, startEngineWorker } from './engine/start';
import type { PresetRegistry } from './presets/registry';
import { Queue } from 'bullmq';
import { bullPrefix } from './engine/queue';
import { taskRoutes } from './nbi/routes/tasks';
import { CommitNotices, SESSION_COMMITTED_QUEUE } from './tasks/committed';
import { TaskService } from './tasks/service';
import { startTaskSweep } from './tasks/sweep';
import { TaskWaiter } from './tasks/waiter';
import { ConnectionRequester, startStunServer } from './connreq';
import { connectionRequestOptions } from './connreq/options';
import { createFileServerApp, createFileService, defaultUrlBase, FILE_SERVER_HTTP_OPTIONS, fileRoutes } from './files';
import { connectionRequestRoutes } from './nbi/routes/connection-requests';
import { scriptExists } from './engine/script-library';
import { startCampaignWorker } from './campaigns/worker';
import { CampaignService, campaignRoutes } from './campaigns';
import { createWorkflowRunner, startWorkflowEngine, workflowRoutes } from './workflows';

export type Role = 'cwmp' | 'worker' | 'nbi' | 'all';

export interface RunningAcs {
  cwmpPort: number | null;
  nbiPort: number | null;
  fsPort: number | null;
  store: DeviceStore;
  deps: SessionDeps | null;
  close(): Promise<void>;
}

const SWEEP_INTERVAL_MS = 1_000;
/** Released file contents (replaced files) and abandoned uploads are deleted this often. */
const FILE_GC_MS = 10 * 60_000;
/** How often quiet sessions' last_inform times are written, in one statement per 500 devices. */
const TOUCH_FLUSH_MS = 1_000;

/** The Digest nonce secret all front ends share: created once in Redis, read by every process. */
async function sharedSecret(deps: { redis: import('ioredis').Redis; prefix: string }): Promise<Buffer> {
  const key = `${deps.prefix}digest-secret`;
  await deps.redis.set(key, randomBytes(32).toString('hex'), 'NX');
  return Buffer.from((await deps.redis.get(key)) as string, 'hex');
}

/** Connections the kernel may queue before the process accepts them; Linux caps it at net.core.somaxconn. A CPE whose SYN finds the queue full waits for its own retransmission (1 s, 3 s, 7 s …): better queued and answered (503 if need be). */
const LISTEN_BACKLOG = 65_535;
/** Headers must arrive sooner than the whole request (Node wants headersTimeout <= requestTimeout). */
const HEADERS_TIMEOUT_MS = 20_000;

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, backlog: LISTEN_BACKLOG }, () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Error codes of a request the client gave up on, or that timed out: the client's doing, not ours. */
const CLIENT_ENDED = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_HTTP_REQUEST_TIMEOUT', 'ERR_STREAM_PREMATURE_CLOSE']);

/**
 * An HTTP server for a Koa app whose late errors (a request timed out, a client
 * gone mid-response) go to the log as one JSON line; Koa's default prints a
 * stack trace on stderr.
 */
function serverFor(app: Koa, log: Logger, name: string, options: http.ServerOptions = {}): http.Server {
  app.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code && CLIENT_ENDED.has(err.code)) log.warn({ server: name, code: err.code, reason: err.message }, 'request ended before its response');
    else log.error({ server: name, err }, 'request failed after its response began');
  });
  return http.createServer(options, app.callback());
}

/** The CPE-facing server's timeouts: a body that trickles in must not hold one of the CWMP_MAX_CONCURRENT slots for Node's default 300 s. */
function cwmpServerOptions(config: Readonly<Config>): http.ServerOptions {
  const requestTimeout = config.cwmpRequestTimeoutMs;
  return {
    requestTimeout,
    headersTimeout: Math.min(HEADERS_TIMEOUT_MS, requestTimeout),
    keepAliveTimeout: config.sessionTimeoutMs,
    // Node checks both timeouts only this often (default 30 s): a short timeout needs a short period.
    connectionsCheckingInterval: Math.min(30_000, Math.max(100, requestTimeout / 4)),
  };
}

/** Runs `task` every `ms`, never two at once: a slow sweep is not overtaken by the next. */
function every(ms: number, log: Logger, what: string, task: () => Promise<unknown>): NodeJS.Timeout {
  let running = false;
  return setInterval(() => {
    if (running) return;
    running = true;
    task()
      .catch((err) => log.error({ err }, `${what} failed`))
      .finally(() => (running = false));
  }, ms);
}

export interface StartOptions {
  /** REDIS_URL was left unset: with role all, a private redis-server may stand in for an absent Redis. */
  redisUrlIsDefault?: boolean;
  /** Aborted when the process is asked to stop during start-up: retries stop waiting. */
  signal?: AbortSignal;
}

type Closer = () => Promise<void>;

/** Closes what was opened, last first; a failing close is logged and the rest still close. */
async function closeAll(opened: Closer[], log: Logger): Promise<void> {
  for (const close of opened.splice(0).reverse()) await close().catch((err) => log.error({ err }, 'close failed'));
}

/**
 * Starts the parts of an ACS process for `role`: Redis, storage, the engine,
 * the CWMP and NBI servers, the session sweeper. An unreachable Redis or
 * database is retried for STARTUP_RETRY_MS; if start-up fails, whatever it had
 * opened (a private redis-server included) is closed before the error is thrown.
 */
export async function startAcs(config: Readonly<Config>, log: Logger, role: Role = 'all', options: StartOptions = {}): Promise<RunningAcs> {
  const opened: Closer[] = [];
  try {
    return await startParts(config, log, role, options, opened);
  } catch (err) {
    await closeAll(opened, log);
    throw err;
  }
}

async function startParts(config: Readonly<Config>, log: Logger, role: Role, options: StartOptions, opened: Closer[]): Promise<RunningAcs> {
  const retry = { retryMs: config.startupRetryMs, log, signal: options.signal };
  const privateFallback = role === 'all' && options.redisUrlIsDefault === true;
  const redisHandle = await connectRedis({ url: config.redisUrl, privateFallback, dataDir: config.dataDir }, retry);
  opened.push(() => redisHandle.close());
  const { redis } = redisHandle;
  const sql = await retryAtStartup({ setting: 'DATABASE_URL', url: config.databaseUrl }, retry, () => openStore(config.databaseUrl));
  opened.push(() => sql.close());
  await sql.migrate();
  const facts = new DeviceFactsCache(redis, config.redisPrefix);
  const store = new FactsAwareStore(sql, facts);
  const result: RunningAcs = { cwmpPort: null, nbiPort: null, fsPort: null, store, deps: null, close: () => closeAll(opened, log) };
  const presets = role === 'nbi' ? null : presetRegistry(config, log);
  if (presets) opened.push(async () => presets.close());
  const bullConnection = () => redisHandle.duplicate({ maxRetriesPerRequest: null });
  const files = createFileService(store.sql, { urlBase: config.fsUrl || defaultUrlBase(config.fsPort), maxBytes: config.fsMaxBytes, uploadTtlMs: config.fsUploadTtlMs });
  // Only one process per host can hold the STUN port: the one with the REST API.
  const stun = (role === 'nbi' || role === 'all') && config.stunPort > 0
    ? await startStunServer({ port: config.stunPort, host: config.stunHost, redis, prefix: config.redisPrefix, store, log })
    : null;
  if (stun) opened.push(() => stun.close());
  const connector = role === 'cwmp' ? null : new ConnectionRequester({ store, redis, prefix: config.redisPrefix, log, stun }, connectionRequestOptions(config));
  const taskService = (waiter: TaskWaiter | null = null) =>
    new TaskService({ store, facts, log, waiter, connector, fileUrl: (name) => files.fileUrl(name), hasProvision: (name) => scriptExists(config.provisionsDir, name) });
  if (presets && (role === 'worker' || role === 'all')) {
    const worker = await startEngineWorker(config, redisHandle, store, presets, log);
    opened.push(() => worker.close());
    const sweep = await startTaskSweep({ prefix: bullPrefix(config.redisPrefix), connect: bullConnection, store, retentionMs: config.taskRetentionMs, log });
    opened.push(() => sweep.close());
  }
  // Durable workflows and the campaigns that run them: advanced by BullMQ jobs in worker processes; all their state is in the database.
  if (role === 'worker' || role === 'all') {
    const workflows = await startWorkflowEngine({
      workflowsDir: config.workflowsDir, redisPrefix: config.redisPrefix, connect: bullConnection, redis, store, tasks: taskService(), log, files,
      connectionRequest: connector ? (device) => connector.request(device) : undefined,
    });
    opened.push(() => workflows.close());
    const campaigns = await startCampaignWorker({ redisPrefix: config.redisPrefix, connect: bullConnection, redis, store, log, runner: workflows.runner });
    opened.push(() => campaigns.close());
  }
  if (role === 'cwmp' || role === 'all') {
    const secret = await sharedSecret({ redis, prefix: config.redisPrefix });
    const sessions = new RedisSessionStore(redis, config.redisPrefix, config.sessionTimeoutMs);
    const auth = new Authenticator(config.cwmpAuthRealm, secret);
    const provisioning = await startEngineClient(config, redisHandle, presets as PresetRegistry, log);
    opened.push(() => provisioning.close());
    const notices = new CommitNotices(redis, config.redisPrefix, new Queue(SESSION_COMMITTED_QUEUE, { connection: bullConnection(), prefix: bullPrefix(config.redisPrefix) }));
    opened.push(() => notices.close());
    const deps: SessionDeps = { config, store, sessions, auth, facts, log, provisioning, notices };
    // Closed after the server (below): what quiet sessions touched until the last request is written.
    opened.push(() => flushTouched(deps, Number.MAX_SAFE_INTEGER).then(() => undefined, () => undefined));
    const server = serverFor(createCwmpApp(deps), log, 'cwmp', cwmpServerOptions(config));
    opened.push(() => closeServer(server));
    result.cwmpPort = await listen(server, config.cwmpPort, config.cwmpHost);
    result.deps = deps;
    const timers = [
      every(SWEEP_INTERVAL_MS, log, 'session sweep', () => sweepExpired(deps)),
      every(TOUCH_FLUSH_MS, log, 'last-inform flush', () => flushTouched(deps)),
    ];
    opened.push(async () => timers.forEach(clearInterval));
    const fsServer = serverFor(createFileServerApp({ files, log }), log, 'fs', FILE_SERVER_HTTP_OPTIONS);
    opened.push(() => closeServer(fsServer));
    result.fsPort = await listen(fsServer, config.fsPort, config.fsHost);
    const gc = every(FILE_GC_MS, log, 'file garbage collection', () => files.store.collectGarbage());
    opened.push(async () => clearInterval(gc));
  }
  if (role === 'nbi' || role === 'all') {
    const waiter = new TaskWaiter(redisHandle.duplicate(), config.redisPrefix);
    opened.push(async () => void (await waiter.close()));
    const workflows = createWorkflowRunner({ workflowsDir: config.workflowsDir, redisPrefix: config.redisPrefix, connect: bullConnection, redis, store, log });
    opened.push(() => workflows.close());
    const campaigns = new CampaignService({ sql: store.sql, runner: workflows.runner, lookup: { hasProvision: (name) => scriptExists(config.provisionsDir, name) } });
    const routers = [
      taskRoutes(taskService(waiter)), connectionRequestRoutes(store, connector as ConnectionRequester), fileRoutes(files),
      workflowRoutes(workflows.runner, workflows.library), campaignRoutes(campaigns),
    ];
    const server = serverFor(createNbiApp(store, log, routers), log, 'nbi', FILE_SERVER_HTTP_OPTIONS);
    opened.push(() => closeServer(server));
    result.nbiPort = await listen(server, config.nbiPort, config.nbiHost);
  }
  // Printed at any LOG_LEVEL but silent: operators and spawnAcs() wait for this line.
  const announce = log.isLevelEnabled('info') || log.level === 'silent' ? log : createLogger('info');
  announce.info({ role, cwmpPort: result.cwmpPort, nbiPort: result.nbiPort, fsPort: result.fsPort, stunPort: stun?.port ?? null }, 'acs started');
  return result;
}
