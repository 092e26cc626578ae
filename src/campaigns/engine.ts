/**
 * The campaign engine of a worker process, on BullMQ. Queue `campaigns`:
 *
 * - `sweep` (a job scheduler, every sweepMs, shared by all workers: BullMQ
 *   keeps one) lists the campaigns that have work (store.ts
 *   activeCampaignIds) and adds one `tick {campaignId}` job for each;
 * - `tick` runs tick.ts for that campaign. Its job id is `tick-<id>`, so a
 *   campaign has at most one tick queued or running in the cluster; the
 *   lease in the campaign row covers a stalled job retried elsewhere.
 *
 * All state is in the database: a worker restart, or another worker taking
 * over, loses nothing; the scheduler lives in Redis, and every worker
 * re-creates it if Redis loses it (engine/job-schedulers.ts).
 */
import type { AcsEvent } from '../webhooks/types';
import type { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { DeviceStore } from '../db/types';
import { startSweptQueue } from '../engine/swept-queue';
import type { Logger } from '../log';
import type { TaskLookup } from '../tasks/build';
import type { WorkflowRunner } from '../workflows/types';
import { CampaignService } from './service';
import { activeCampaignIds } from './store';
import { tickCampaign, type TickOptions } from './tick';

export const CAMPAIGN_QUEUE = 'campaigns';

export interface CampaignEngineOptions {
  redisPrefix: string;
  /** A new connection for BullMQ (maxRetriesPerRequest: null). */
  connect: () => Redis;
  /** The process's command connection (unused for now; BullMQ takes its own). */
  redis?: Redis;
  store: Pick<DeviceStore, 'sql'>;
  runner: WorkflowRunner;
  log: Logger;
  /** How often campaigns are ticked (CAMPAIGN_TICK_MS); default 1000. */
  sweepMs?: number;
  /** Campaign ticks a worker runs at once (CAMPAIGN_CONCURRENCY); default 4. */
  concurrency?: number;
  tick?: Partial<TickOptions>;
  lookup?: TaskLookup;
  /** Told of stage changes and ends (webhooks). */
  emit?: (events: AcsEvent[]) => Promise<void>;
}

export interface CampaignEngine {
  campaigns: CampaignService;
  /** Ticks every active campaign once, now (tests, the CLI). */
  sweep(): Promise<void>;
  close(): Promise<void>;
}

export async function startCampaignEngine(o: CampaignEngineOptions): Promise<CampaignEngine> {
  const sql = o.store.sql;
  const tickDeps = { sql, runner: o.runner, log: o.log, options: o.tick, emit: o.emit };
  const run = (queue: Queue) => async (job: Job): Promise<void> => {
    if (job.name === 'sweep') {
      const ids = await sql.autocommit((db) => activeCampaignIds(db));
      if (ids.length > 0) await queue.addBulk(ids.map((id) => ({ name: 'tick', data: { campaignId: id }, opts: { jobId: `tick-${id}`, removeOnComplete: true, removeOnFail: true } })));
    } else if (job.name === 'tick') {
      const r = await tickCampaign(tickDeps, String((job.data as { campaignId: unknown }).campaignId));
      if (r.started > 0 || r.finished > 0) o.log.debug({ campaign: job.data.campaignId, ...r }, 'campaign tick');
    }
  };
  const swept = await startSweptQueue({
    name: CAMPAIGN_QUEUE, connect: o.connect, redisPrefix: o.redisPrefix, log: o.log, what: 'campaign',
    sweepEveryMs: o.sweepMs ?? 1000, concurrency: o.concurrency ?? 4, run,
  });
  return {
    campaigns: new CampaignService({ sql, runner: o.runner, lookup: o.lookup }),
    sweep: async () => {
      const ids = await sql.autocommit((db) => activeCampaignIds(db));
      for (const id of ids) await tickCampaign(tickDeps, id);
    },
    close: () => swept.close(),
  };
}
