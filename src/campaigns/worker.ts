/**
 * The campaign engine of a worker process as server.ts starts it: a
 * workflow runner of its own (runs are started by writing the database and
 * adding BullMQ jobs; the workflow workers carry them out) and the engine.
 */
import type { AcsEvent } from '../webhooks/types';
import type { Redis } from 'ioredis';
import type { DeviceStore } from '../db/types';
import type { Logger } from '../log';
import { createWorkflowRunner } from '../workflows';
import type { WorkflowRunner } from '../workflows/types';
import { startCampaignEngine, type CampaignEngine } from './engine';
import type { TickOptions } from './tick';
import type { TaskLookup } from '../tasks/build';

export interface CampaignWorkerOptions {
  redisPrefix: string;
  connect: () => Redis;
  redis: Redis;
  store: DeviceStore;
  log: Logger;
  /** The process's runner, when it has one (the workflow engine's); else one is made here. */
  runner?: WorkflowRunner;
  workflowsDir?: string;
  sweepMs?: number;
  concurrency?: number;
  tick?: Partial<TickOptions>;
  /** What campaign task checks may ask (hasProvision ...). */
  lookup?: TaskLookup;
  /** Told of stage changes and ends (webhooks). */
  emit?: (events: AcsEvent[]) => Promise<void>;
}

export async function startCampaignWorker(o: CampaignWorkerOptions): Promise<CampaignEngine> {
  const own = o.runner ? null : createWorkflowRunner({ redisPrefix: o.redisPrefix, connect: o.connect, redis: o.redis, store: o.store, log: o.log, workflowsDir: o.workflowsDir });
  try {
    const engine = await startCampaignEngine({ ...o, runner: o.runner ?? (own as NonNullable<typeof own>).runner });
    return { ...engine, close: async () => (await engine.close(), await own?.close()) };
  } catch (err) {
    await own?.close();
    throw err;
  }
}
