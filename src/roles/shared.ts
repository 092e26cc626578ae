/**
 * What every role of a process uses: Redis, the device store (migrated), the
 * preset registry, the file store, the STUN server and connection requests,
 * and tasks. Each role's own parts start in its own module.
 */
import { bullPrefix } from '../engine/queue';
import { deliveryQueue, SubscriptionView, WebhookEmitter, WebhookStore } from '../webhooks';
import { expiredTaskEvents } from '../webhooks/expired-tasks';
import { Queue } from 'bullmq';
import { CommitNotices, SESSION_COMMITTED_QUEUE } from '../tasks/committed';
import { logBullErrors } from '../infra/redis-outage';
import type { ExpiredTask } from '../db/types';
import { QoeCollection } from '../qoe/collection';
import type { Redis } from 'ioredis';
import type { Config } from '../config/load';
import { ConnectionRequester, startStunServer, type StunServer } from '../connreq';
import { connectionRequestOptions } from '../connreq/options';
import { DeviceFactsCache, FactsAwareStore } from '../cwmp/session/device-facts';
import { openStore } from '../db';
import { presetRegistry } from '../engine/start';
import { provisionLookup, ScriptStore, StoredScripts } from '../scripts';
import { createFileService, fileOptionsOf, type FileService } from '../files';
import { connectRedis, type RedisHandle } from '../infra/redis';
import { retryAtStartup } from '../infra/startup-retry';
import type { Logger } from '../log';
import type { PresetRegistry } from '../presets/registry';
import { fileDeps, TaskService } from '../tasks/service';
import type { TaskWaiter } from '../tasks/waiter';
import type { Closer } from './closers';
import { createOrders, type Orders } from '../orders';
import { readinessOf, type ReadinessCheck } from '../metrics/readiness';
import { TraceStore } from '../trace/store';
import { flushFleetStats } from '../stats';
import type { WorkflowLibrary } from '../workflows/library';
import type { WorkflowRunner } from '../workflows/types';

export type Role = 'cwmp' | 'worker' | 'nbi' | 'webhooks' | 'all';

export interface StartOptions {
  /** REDIS_URL was left unset: with role all, a private redis-server may stand in for an absent Redis. */
  redisUrlIsDefault?: boolean;
  /** Aborted when the process is asked to stop during start-up: retries stop waiting. */
  signal?: AbortSignal;
  /** A child of `acs start --processes`: its primary announces the ACS once every child started (roles/cluster.ts). */
  member?: boolean;
}

export interface Shared {
  config: Readonly<Config>;
  log: Logger;
  role: Role;
  redisHandle: RedisHandle;
  /** The process's command connection. */
  redis: Redis;
  store: FactsAwareStore;
  facts: DeviceFactsCache;
  /** Null in NBI processes: they run no provisioning. */
  presets: PresetRegistry;
  /** The presets, provisions and virtual parameters written through the REST API, as last read (every second). */
  storedScripts: StoredScripts;
  /** Whether a provision exists (a file, or one held in the database): what tasks, campaigns and orders may name. */
  hasProvision: (name: string) => boolean;
  files: FileService;
  stun: StunServer | null;
  /** Null in CWMP processes: they ask no device to connect. */
  connector: ConnectionRequester | null;
  /** A new connection for BullMQ (maxRetriesPerRequest: null). */
  bullConnection: () => Redis;
  webhookStore: WebhookStore;
  /** The subscriptions as last read (every few seconds). */
  webhookView: SubscriptionView;
  /** Every process emits webhook events (front ends: devices and tasks; workers: workflows and campaigns). */
  webhooks: WebhookEmitter;
  /** What waits on devices is told here of committed sessions (front ends) and expired tasks (any process). */
  notices: CommitNotices;
  /** Tasks marked expired (committed): task.failed to the webhooks, and a notice to their waiters. */
  tasksExpired(tasks: ExpiredTask[], now: number): Promise<void>;
  /** Collection profiles and the frames' way to the ingest (every process may make frames). */
  qoe: QoeCollection;
  /** A task service; with a waiter, it can wait for tasks to finish (?timeout=). */
  taskService(waiter?: TaskWaiter | null): TaskService;
  /** What was opened so far, closed last first. */
  opened: Closer[];
  /** GET /ready of every server of the process (metrics/readiness.ts). */
  ready: ReadinessCheck;
  /** Per-device SOAP traces: switched by the REST API, written by the CWMP servers. */
  traces: TraceStore;
}

/** Whether `role` runs the parts of `part` ('all' runs every part). */
export function runs(role: Role, part: Exclude<Role, 'all'>): boolean {
  return role === part || role === 'all';
}

/** Webhook deliveries: in their own role, and in workers unless WORKER_DELIVERS_WEBHOOKS=false leaves them to it. */
export function deliversWebhooks(role: Role, config: Readonly<Config>): boolean {
  return runs(role, 'webhooks') || (role === 'worker' && config.workerDeliversWebhooks);
}

/**
 * Opens what every role uses. An unreachable Redis or database is retried for
 * STARTUP_RETRY_MS; what was opened is in `opened` even when this throws.
 */
export async function openShared(config: Readonly<Config>, log: Logger, role: Role, options: StartOptions, opened: Closer[]): Promise<Shared> {
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
  const storedScripts = new StoredScripts(new ScriptStore(store.sql), { log });
  await storedScripts.start();
  opened.push(async () => storedScripts.close());
  const hasProvision = provisionLookup(config.provisionsDir, storedScripts);
  // Every role: the REST API's orders apply presets too.
  const presets = presetRegistry(config, log, storedScripts);
  opened.push(async () => presets.close());
  const files = createFileService(store.sql, fileOptionsOf(config));
  await files.access.init();
  // Only one process per host can hold the STUN port: the one with the REST API.
  const stun = runs(role, 'nbi') && config.stunPort > 0
    ? await startStunServer({ port: config.stunPort, host: config.stunHost, redis, prefix: config.redisPrefix, store, log })
    : null;
  if (stun) opened.push(() => stun.close());
  const connector = role === 'cwmp' || role === 'webhooks' ? null : new ConnectionRequester({ store, redis, prefix: config.redisPrefix, log, stun }, connectionRequestOptions(config));
  if (connector) {
    // Connection requests that wait for a session to end, those a stopped process left included (after-session.ts).
    connector.start();
    opened.push(async () => connector.close());
  }
  const taskService = (waiter: TaskWaiter | null = null) =>
    new TaskService({ store, facts, log, waiter, connector, ...fileDeps(files), hasProvision });
  const bullConnection = () => redisHandle.duplicate({ maxRetriesPerRequest: null });
  const webhookStore = new WebhookStore(store.sql);
  const webhookView = new SubscriptionView(webhookStore);
  const webhooks = new WebhookEmitter({ view: webhookView, redis, redisPrefix: config.redisPrefix, queue: deliveryQueue(bullConnection(), bullPrefix(config.redisPrefix, redis)), log });
  opened.push(() => webhooks.close());
  const committedQueue = new Queue(SESSION_COMMITTED_QUEUE, { connection: bullConnection(), prefix: bullPrefix(config.redisPrefix, redis) });
  logBullErrors(committedQueue, log, 'session-committed queue');
  const notices = new CommitNotices(redis, config.redisPrefix, committedQueue);
  opened.push(() => notices.close());
  const tasksExpired = async (tasks: ExpiredTask[], now: number): Promise<void> => {
    const noticed = notices.expired(tasks).catch((err: unknown) => log.error({ err, tasks: tasks.map((t) => t.id) }, 'expired tasks: notice not sent'));
    await Promise.all([webhooks.emit(expiredTaskEvents(tasks, now)), noticed]);
  };
  store.onTasksExpired = (tasks) => void tasksExpired(tasks, Date.now()).catch((err: unknown) => log.error({ err }, 'expired tasks not told of'));
  const qoe = new QoeCollection({ sql: store.sql, redis, redisPrefix: config.redisPrefix, log });
  opened.push(() => qoe.close());
  opened.push(await flushFleetStats(config, redis, log));
  const ready = readinessOf(redis, store.sql);
  const traces = new TraceStore(redis, { redisPrefix: config.redisPrefix, maxMessages: config.traceMaxMessages, keepMs: config.traceKeepMs });
  return { config, log, role, redisHandle, redis, store, facts, presets, storedScripts, hasProvision, files, stun, connector, bullConnection, taskService, webhookStore, webhookView, webhooks, notices, tasksExpired, qoe, opened, ready, traces };
}

/** The zero-touch orders of a process, over its workflow runner. */
export function ordersOf(s: Shared, workflows: { runner: WorkflowRunner; library: WorkflowLibrary }): Orders {
  return createOrders({
    sql: s.store.sql, runner: workflows.runner, library: workflows.library, log: s.log, emit: (e) => s.webhooks.emit(e),
    hasProvision: s.hasProvision, presetProvisions: (name) => s.presets.get(name)?.provisions ?? null,
  });
}
