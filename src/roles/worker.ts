/**
 * The worker role: the provisioning engine's worker, the task sweep, and the
 * durable workflows and campaigns (advanced by BullMQ jobs; all their state
 * is in the database). Webhook deliveries are roles/webhooks.ts.
 */
import type { Orders } from '../orders';
import { startCampaignWorker } from '../campaigns/worker';
import { bullPrefix } from '../engine/queue';
import { startEngineWorker } from '../engine/start';
import type { PresetRegistry } from '../presets/registry';
import { startTaskSweep } from '../tasks/sweep';
import { startWorkflowEngine } from '../workflows';
import { ordersOf, type Shared } from './shared';
import { requestUntilAnswered } from '../connreq';
import { moveFleetStats } from '../stats';
import { startFrameIngest } from '../qoe/frames/ingest';
import { startSeriesMaintenance } from '../qoe/maintenance';
import { createSeriesStore } from '../qoe/series';
import { startAlertEngine } from '../qoe/alerts';
import { startReportScheduler } from '../qoe/reports';
import { QOE_EXTENSION, qoeExtension } from '../qoe/ext';
import type { WorkflowRunner } from '../workflows/types';

export async function startWorkerRole(s: Shared, presets: PresetRegistry): Promise<void> {
  const { config, log, store, opened } = s;
  const builtins = { [QOE_EXTENSION]: qoeExtension(s.qoe, s.files.access.options.urlBase) };
  const worker = await startEngineWorker(config, s.redisHandle, store, presets, s.storedScripts, log, builtins);
  opened.push(() => worker.close());
  const sweep = await startTaskSweep({ prefix: bullPrefix(config.redisPrefix, s.redis), connect: s.bullConnection, store, retentionMs: config.taskRetentionMs, log, expired: s.tasksExpired });
  opened.push(() => sweep.close());
  opened.push(moveFleetStats(config, s.redis, store.sql, log));
  const tasks = s.taskService();
  const { connector } = s;
  const workflows = await startWorkflowEngine({
    workflowsDir: config.workflowsDir, redisPrefix: config.redisPrefix, connect: s.bullConnection, redis: s.redis, store, tasks, taskCanceller: tasks, log, files: s.files,
    // Asked again while the CPE answers 503 (it limits the rate): a run's second step comes within a second of its first.
    connectionRequest: connector ? (device) => requestUntilAnswered((d) => connector.request(d), device) : undefined,
    // Orders follow their runs: told first, so that an order's event goes out with its run's.
    emit: async (events) => {
      await orders?.onEvents(events).catch((err: unknown) => log.error({ err }, 'order not updated'));
      await s.webhooks.emit(events);
    },
  });
  const orders: Orders | null = ordersOf(s, workflows);
  opened.push(() => workflows.close());
  const campaigns = await startCampaignWorker({ redisPrefix: config.redisPrefix, connect: s.bullConnection, redis: s.redis, store, log, runner: workflows.runner, emit: (events) => s.webhooks.emit(events) });
  opened.push(() => campaigns.close());
  await startQoeWorker(s, workflows.runner);
}

/** Frames into the series store, its rollups and retention, and the alert rules' evaluation. */
async function startQoeWorker(s: Shared, runner: WorkflowRunner): Promise<void> {
  const { config, log, opened } = s;
  const series = createSeriesStore(s.store.sql, { profiles: s.qoe.view.lookup });
  const ingest = startFrameIngest({
    redis: s.redisHandle.duplicate(), reader: s.redisHandle.duplicate(), redisPrefix: config.redisPrefix, view: s.qoe.view, series, exportMax: config.qoeExportMax, log,
  });
  opened.push(() => ingest.close());
  opened.push(startSeriesMaintenance({ redis: s.redis, redisPrefix: config.redisPrefix, series, log }));
  const alerts = await startAlertEngine({
    redisPrefix: config.redisPrefix, connect: s.bullConnection, sql: s.store.sql, series, log, everyMs: config.qoeAlertEveryMs,
    emit: (events) => s.webhooks.emit(events),
    startWorkflow: (run) => runner.start(run),
  });
  opened.push(() => alerts.close());
  const reports = await startReportScheduler({
    redisPrefix: config.redisPrefix, connect: s.bullConnection, sql: s.store.sql, profiles: s.qoe.view.lookup, log,
    emit: (events) => s.webhooks.emit(events),
  });
  opened.push(() => reports.close());
}
