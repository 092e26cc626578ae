/**
 * Starts an ACS process for its role: what every role shares
 * (roles/shared.ts), then the parts of each role it runs, each in its own
 * module under roles/.
 */
import type { NbiRoute } from './nbi/app';
import type { Config } from './config/load';
import type { SessionDeps } from './cwmp/session/context';
import type { DeviceStore } from './db/types';
import type { Logger } from './log';
import { startMetrics } from './metrics/server';
import { closeAll, type Closer } from './roles/closers';
import { startCwmpRole } from './roles/cwmp';
import { startNbiRole } from './roles/nbi';
import { deliversWebhooks, openShared, runs, type Role, type StartOptions } from './roles/shared';
import { startWebhooksRole } from './roles/webhooks';
import { startWorkerRole } from './roles/worker';

export type { Role, StartOptions };

export interface RunningAcs {
  cwmpPort: number | null;
  nbiPort: number | null;
  /** The REST API's routes (empty without the nbi role). */
  nbiRoutes: NbiRoute[];
  fsPort: number | null;
  /** The METRICS_PORT server's port; null when off. */
  metricsPort: number | null;
  /** The STUN server's UDP port; null when off or without the nbi role. */
  stunPort: number | null;
  store: DeviceStore;
  deps: SessionDeps | null;
  close(): Promise<void>;
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
  const shared = await openShared(config, log, role, options, opened);
  const result: RunningAcs = { cwmpPort: null, nbiPort: null, nbiRoutes: [], fsPort: null, metricsPort: null, stunPort: shared.stun?.port ?? null, store: shared.store, deps: null, close: () => closeAll(opened, log) };
  // Worker and CWMP processes always have presets (only NBI ones have none).
  if (runs(role, 'worker')) await startWorkerRole(shared, shared.presets);
  if (deliversWebhooks(role, shared.config)) startWebhooksRole(shared);
  if (runs(role, 'cwmp')) Object.assign(result, (await startCwmpRole(shared, shared.presets)) satisfies Partial<RunningAcs>);
  if (runs(role, 'nbi')) ({ port: result.nbiPort, routes: result.nbiRoutes } = await startNbiRole(shared));
  result.metricsPort = await startMetrics(shared);
  // Printed at any LOG_LEVEL but silent: operators and spawnAcs() wait for this line (a child's is another: its primary announces the ACS).
  const announce = log.isLevelEnabled('info') || log.level === 'silent' ? log : log.child({}, { level: 'info' });
  const ports = { cwmpPort: result.cwmpPort, nbiPort: result.nbiPort, fsPort: result.fsPort, metricsPort: result.metricsPort, stunPort: result.stunPort };
  if (options.member) announce.info(ports, 'process started');
  else announce.info({ role, ...ports }, 'acs started');
  return result;
}
