/**
 * The primary of `acs start --processes`: forks the planned children
 * (node:cluster: the front ends share the CWMP and file server ports, the
 * primary handing each new connection to the next one in turn), restarts a
 * child that dies (with backoff), and stops them all on SIGTERM/SIGINT. It
 * opens no database and serves nothing itself; with REDIS_URL unset it may
 * start the one private redis-server all children share.
 */
import cluster, { type Worker } from 'node:cluster';
import { ConfigError, type Config } from '../config/load';
import { parseStoreUrl } from '../db/url';
import { connectRedis, type RedisHandle } from '../infra/redis';
import type { Logger } from '../log';
import type { ChildRole } from './processes';
import type { Role } from './shared';

/** What a child tells the primary once it serves (its ports; null where it has no such server). */
export interface ChildStarted {
  acs: 'started';
  cwmpPort: number | null;
  nbiPort: number | null;
  fsPort: number | null;
  metricsPort: number | null;
  stunPort: number | null;
}

/** A child of `acs start --processes` tells its primary it started; outside a cluster, nothing. */
export function reportStarted({ cwmpPort, nbiPort, fsPort, metricsPort, stunPort }: Omit<ChildStarted, 'acs'>): void {
  if (cluster.isWorker) process.send?.({ acs: 'started', cwmpPort, nbiPort, fsPort, metricsPort, stunPort } satisfies ChildStarted);
}

function isStarted(message: unknown): message is ChildStarted {
  return typeof message === 'object' && message !== null && (message as { acs?: unknown }).acs === 'started';
}

/** First restart of a dead child after this; doubled for each death in a row, up to RESTART_MAX_MS. */
const RESTART_FIRST_MS = 1_000;
const RESTART_MAX_MS = 60_000;
/** A child that ran this long died for a new reason: its next restart waits RESTART_FIRST_MS again. */
const STABLE_MS = 60_000;
/** Children still running this long after SIGTERM are killed (never left behind the primary). */
const STOP_GRACE_MS = 30_000;

/**
 * How long to wait before starting a dead child again (`delayMs`), and the
 * wait after its next death (`nextMs`): 1 s, doubled while it keeps dying
 * young, up to a minute; a child that ran a minute starts the count again.
 */
export function restartDelay(currentMs: number, ranMs: number): { delayMs: number; nextMs: number } {
  const delayMs = ranMs >= STABLE_MS ? RESTART_FIRST_MS : currentMs;
  return { delayMs, nextMs: Math.min(delayMs * 2, RESTART_MAX_MS) };
}

/** One planned child: its role and environment, and the process running it now. */
interface Slot {
  role: ChildRole;
  env: Record<string, string>;
  worker: Worker | null;
  started: ChildStarted | null;
  startedAt: number;
  /** The wait before this slot's next restart (restartDelay). */
  restartMs: number;
  restartTimer: NodeJS.Timeout | null;
}

export interface PrimaryOptions {
  /** REDIS_URL was left unset: with role all, a private redis-server may stand in for an absent Redis (started here, once). */
  redisUrlIsDefault: boolean;
  /** Aborted when the primary is asked to stop. */
  signal: AbortSignal;
}

/**
 * SQLite is one process's embedded database (one connection, migrations
 * without a lock, writers failing with SQLITE_BUSY across processes):
 * several processes need MySQL/MariaDB.
 */
function refuseSqlite(config: Readonly<Config>): void {
  if (parseStoreUrl(config.databaseUrl).driver !== 'sqlite') return;
  throw new ConfigError(`--processes needs a MySQL/MariaDB database shared by the processes: DATABASE_URL=${config.databaseUrl} is SQLite, one process's embedded database (set DATABASE_URL=mysql://user:pass@host:3306/acs, or start without --processes)`);
}

/**
 * The Redis the children use. With REDIS_URL unset and role all, one private
 * redis-server may be started here (when nothing answers at the default URL);
 * the children are then given its socket as their REDIS_URL.
 */
export async function childrenRedis(config: Readonly<Config>, role: Role, options: PrimaryOptions, log: Logger): Promise<{ env: Record<string, string>; handle: RedisHandle | null }> {
  if (role !== 'all' || !options.redisUrlIsDefault) return { env: {}, handle: null };
  const retry = { retryMs: config.startupRetryMs, log, signal: options.signal };
  const handle = await connectRedis({ url: config.redisUrl, privateFallback: true, dataDir: config.dataDir }, retry);
  const socket = handle.redis.options.path;
  if (socket) return { env: { REDIS_URL: socket }, handle };
  await handle.close();
  return { env: {}, handle: null };
}

/**
 * The children's slots; with METRICS_PORT set, child i serves its metrics on
 * METRICS_PORT + i. With a webhooks child, the workers leave it the deliveries.
 */
function slotsOf(plan: ChildRole[], config: Readonly<Config>, env: Record<string, string>): Slot[] {
  const delivered: Record<string, string> = plan.includes('webhooks') ? { WORKER_DELIVERS_WEBHOOKS: 'false' } : {};
  return plan.map((role, i) => ({
    role, worker: null, started: null, startedAt: 0, restartMs: RESTART_FIRST_MS, restartTimer: null,
    env: { ...env, ...(role === 'worker' ? delivered : {}), ...(config.metricsPort > 0 ? { METRICS_PORT: String(config.metricsPort + i) } : {}) },
  }));
}

/**
 * Runs the children of `plan` until `options.signal` is aborted, then stops
 * them and resolves. Rejects (after stopping what started) when a child dies
 * before every child started: the same start-up failure as one process.
 */
export async function runPrimary(plan: ChildRole[], role: Role, config: Readonly<Config>, log: Logger, options: PrimaryOptions): Promise<void> {
  refuseSqlite(config);
  const redis = await childrenRedis(config, role, options, log);
  const primary = new Primary(slotsOf(plan, config, redis.env), log);
  try {
    await primary.start(options.signal);
    if (!options.signal.aborted) announce(log, role, primary.slots);
    await new Promise<void>((resolve) => (options.signal.aborted ? resolve() : options.signal.addEventListener('abort', () => resolve())));
  } finally {
    await primary.stop();
    await redis.handle?.close();
    log.info('every process stopped');
  }
}

/** The line operators and spawnAcs() wait for, printed at any LOG_LEVEL but silent (as one process's): the shared ports, and each child. */
function announce(log: Logger, role: Role, slots: Slot[]): void {
  const first = (key: keyof Omit<ChildStarted, 'acs'>): number | null => slots.map((s) => s.started?.[key] ?? null).find((p) => p !== null) ?? null;
  const processes = slots.map((s) => ({ role: s.role, pid: s.worker?.process.pid ?? null, metricsPort: s.started?.metricsPort ?? null }));
  const line = { role, cwmpPort: first('cwmpPort'), nbiPort: first('nbiPort'), fsPort: first('fsPort'), metricsPort: null, stunPort: first('stunPort'), processes };
  (log.isLevelEnabled('info') || log.level === 'silent' ? log : log.child({}, { level: 'info' })).info(line, 'acs started');
}

/** The first start of every child: settled once all started, or when one exits first. */
interface StartUp {
  done(): void;
  failed(err: Error): void;
}

class Primary {
  private stopping = false;
  private startUp: StartUp | null = null;

  constructor(readonly slots: Slot[], private readonly log: Logger) {}

  /** Forks every child and resolves once each reported it started (or a stop was asked); rejects when one exits first. */
  start(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    // From the signal on, a child's exit is the stop under way, never a crash to restart.
    signal.addEventListener('abort', () => {
      this.stopping = true;
      this.settleStartUp(null);
    });
    return new Promise((resolve, reject) => {
      this.startUp = { done: resolve, failed: reject };
      for (const slot of this.slots) this.fork(slot);
    });
  }

  private fork(slot: Slot): void {
    slot.restartTimer = null;
    cluster.setupPrimary({ args: ['start', '--role', slot.role] });
    const worker = cluster.fork(slot.env);
    slot.worker = worker;
    slot.started = null;
    slot.startedAt = Date.now();
    worker.on('message', (message: unknown) => {
      if (!isStarted(message)) return;
      slot.started = message;
      if (this.slots.every((s) => s.started)) this.settleStartUp(null);
    });
    worker.on('exit', (code, signal) => {
      if (slot.worker === worker) slot.worker = null;
      if (this.stopping) return;
      if (this.startUp) return this.settleStartUp(new Error(`a ${slot.role} process exited during start-up (${signal ?? `code ${code}`}); its log lines above say why`));
      this.restart(slot, worker, code, signal);
    });
  }

  /** Ends the first start: done (every child started, or a stop was asked), or failed; later exits are restarts. */
  private settleStartUp(err: Error | null): void {
    const startUp = this.startUp;
    this.startUp = null;
    if (err) startUp?.failed(err);
    else startUp?.done();
  }

  /** A child died: logged, and started again after a backoff that grows while it keeps dying young. */
  private restart(slot: Slot, dead: Worker, code: number | null, signal: string | null): void {
    const ranMs = Date.now() - slot.startedAt;
    const { delayMs, nextMs } = restartDelay(slot.restartMs, ranMs);
    this.log.error({ child: slot.role, childPid: dead.process.pid, code, signal, ranMs, restartInMs: delayMs }, 'process exited: restarting it');
    slot.restartTimer = setTimeout(() => this.fork(slot), delayMs);
    slot.restartMs = nextMs;
  }

  /** SIGTERM to every child (each closes as one process does on SIGTERM); resolves once all exited, killing stragglers after STOP_GRACE_MS. */
  async stop(): Promise<void> {
    this.stopping = true;
    const running = this.slots.flatMap((s) => {
      if (s.restartTimer) clearTimeout(s.restartTimer);
      return s.worker && s.worker.process.exitCode === null && s.worker.process.signalCode === null ? [s.worker] : [];
    });
    await Promise.all(running.map((w) => this.stopChild(w)));
  }

  private stopChild(worker: Worker): Promise<void> {
    return new Promise((resolve) => {
      const kill = setTimeout(() => {
        this.log.error({ childPid: worker.process.pid, graceMs: STOP_GRACE_MS }, 'process did not stop: killing it');
        worker.process.kill('SIGKILL');
      }, STOP_GRACE_MS);
      worker.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      worker.process.kill('SIGTERM');
    });
  }
}
