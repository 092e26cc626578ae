/**
 * Builds the engine's parts for a process: the front-end client (cwmp role)
 * and the worker (worker role), each with what it needs and nothing more.
 */
import type { Redis } from 'ioredis';
import type { Config } from '../config/load';
import { RedisSessionStore } from '../cwmp/session/redis-store';
import type { DeviceStore } from '../db/types';
import type { RedisHandle } from '../infra/redis';
import type { Logger } from '../log';
import { PresetRegistry } from '../presets/registry';
import { formatPresetError } from '../presets/types';
import type { StoredScripts } from '../scripts/stored';
import { SandboxPool } from '../sandbox';
import { EngineClient } from './client';
import { ExtensionHost, type BuiltinExtension } from './ext';
import { ScriptLibrary } from './script-library';
import { openSchedules } from './schedules';
import { EngineWorker } from './worker';
import { vendorProfilesFor } from '../vendor/config';

/** The live presets of a process (the folder's and the stored ones), with problems logged (one line per rejected version). */
export function presetRegistry(config: Readonly<Config>, log: Logger, stored: StoredScripts): PresetRegistry {
  return new PresetRegistry(config.presetsDir, {
    stored: stored.source('preset'),
    onError: (e) => log.error({ file: e.file, line: e.line }, `preset rejected: ${formatPresetError(e)}`),
    onWarning: (message) => log.warn(message),
    onChange: (presets) => log.info({ presets: presets.map((p) => p.name) }, 'presets loaded'),
  });
}

export async function startEngineClient(config: Readonly<Config>, redis: RedisHandle, presets: PresetRegistry, log: Logger): Promise<EngineClient> {
  const client = new EngineClient(presets, {
    redisPrefix: config.redisPrefix,
    connection: redis.duplicate({ maxRetriesPerRequest: null }),
    subscriber: redis.duplicate(),
    timeoutMs: config.engineStepTimeoutMs,
    log,
  });
  await client.start();
  return client;
}

export interface RunningWorker {
  close(): Promise<void>;
}

export async function startEngineWorker(
  config: Readonly<Config>,
  redis: RedisHandle,
  store: DeviceStore,
  presets: PresetRegistry,
  stored: StoredScripts,
  log: Logger,
  builtins: Readonly<Record<string, BuiltinExtension>> = {},
): Promise<RunningWorker> {
  const onWarning = (message: string): void => log.warn(message);
  const scripts = new ScriptLibrary(config.provisionsDir, { stored: stored.source('provision'), onWarning, onError: (message) => log.error(`provision rejected: ${message}`) });
  const virtual = new ScriptLibrary(config.virtualParametersDir, { stored: stored.source('virtual-parameter'), onWarning, onError: (message) => log.error(`virtual parameter rejected: ${message}`) });
  await Promise.all([scripts.refresh(true), virtual.refresh(true)]);
  const pool = new SandboxPool({
    size: 2,
    timeoutMs: config.scriptTimeoutMs,
    memoryLimitMb: config.scriptMemoryMb,
    onCatastrophicError: (message) => {
      log.fatal({ message }, 'isolated-vm lost control of an isolate; exiting');
      process.exit(70);
    },
  });
  const ext = new ExtensionHost({ dir: config.extDir, timeoutMs: config.extTimeoutMs, log, builtins });
  const command: Redis = redis.redis;
  const sessions = new RedisSessionStore(command, config.redisPrefix, config.sessionTimeoutMs);
  const worker = new EngineWorker(
    {
      pool, scripts, virtual, ext, presets, log,
      limits: { maxRpcs: config.engineMaxRpcs, maxSteps: config.engineMaxSteps },
      openSchedules: () => openSchedules(command, config.redisPrefix),
      vendor: vendorProfilesFor(config, log),
    },
    {
      redisPrefix: config.redisPrefix,
      concurrency: config.workerConcurrency,
      connect: () => redis.duplicate({ maxRetriesPerRequest: null }),
      redis: command,
      sessions,
      store,
      log,
    },
  );
  await worker.waitUntilReady();
  const unwatch = presets.onChange((list) => void worker.syncSchedules(list).catch((err) => log.error({ err }, 'preset schedules not synced')));
  return {
    close: async () => {
      unwatch();
      await worker.close();
      await ext.close();
      await pool.close();
    },
  };
}
