/**
 * Campaigns as the REST API and the CLI use them: create, read, pause,
 * resume, cancel. Usable from any process: it only writes the database; the
 * engine's ticks (engine.ts, worker processes) act on it within a tick
 * interval. With a runner at hand (a worker, or role all), cancel also
 * cancels the runs in flight at once instead of at the next tick.
 */
import { randomUUID } from 'node:crypto';
import { placeholders, type Db } from '../db/sql';
import type { SqlAccess } from '../db/types';
import { AcsError } from '../errors';
import type { TaskLookup } from '../tasks/build';
import type { WorkflowRunner } from '../workflows/types';
import { cancelRuns, skipPending } from './outcomes';
import { emptyCounts, getCampaign, insertCampaign, listCampaigns, listDevices, setStatus, stageProgress } from './store';
import { DEVICE_OUTCOMES, type Campaign, type CampaignDetail, type CampaignDevice, type CampaignStatus, type DeviceOutcome, type StageProgress } from './types';
import { campaignSpec } from './validate';

export interface CampaignServiceDeps {
  sql: SqlAccess;
  runner?: WorkflowRunner | null;
  /** What task checks may ask (provisions, files, parameter types). */
  lookup?: TaskLookup;
  now?: () => number;
}

/** A stage's counters with its failure ratio, as the stop rule (tick.ts failureReason) judges it. */
export interface StageView extends StageProgress {
  /** failed / (done + failed); null until a device of the stage finished. */
  failureRatio: number | null;
  /** Enough devices finished (minSample, or all of a smaller stage) for the ratio to stop the campaign. */
  sampled: boolean;
}

/** GET /campaigns/:id: the campaign, each stage with its failure ratio, and the counters in all. */
export interface CampaignView extends CampaignDetail {
  progress: StageView[];
}

const STATUSES: readonly CampaignStatus[] = ['draft', 'running', 'paused', 'stopped', 'cancelled', 'done'];

/** Which statuses each operator action leaves from. */
const TRANSITIONS: Record<'pause' | 'resume' | 'cancel', { from: readonly CampaignStatus[]; to: CampaignStatus }> = {
  pause: { from: ['running'], to: 'paused' },
  resume: { from: ['paused', 'draft'], to: 'running' },
  cancel: { from: ['draft', 'running', 'paused', 'stopped'], to: 'cancelled' },
};

export class CampaignService {
  private readonly now: () => number;

  constructor(private readonly deps: CampaignServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Checks the body (ACS_ERR_BAD_REQUEST naming the field) and stores the campaign, running unless `draft`. */
  async create(body: unknown): Promise<CampaignView> {
    const { spec, draft } = campaignSpec(body, this.deps.lookup);
    const id = randomUUID();
    await this.deps.sql.transaction((db) => insertCampaign(db, id, spec, draft ? 'draft' : 'running', this.now()));
    return (await this.get(id)) as CampaignView;
  }

  /** The campaign with its counters (and failure ratio) per stage and in all; null when unknown. */
  async get(id: string): Promise<CampaignView | null> {
    return this.deps.sql.autocommit(async (db) => {
      const c = await getCampaign(db, id);
      if (!c) return null;
      const progress = (await stageProgress(db, id)).map((p) => stageView(c, p));
      const counts = emptyCounts();
      for (const p of progress) for (const s of DEVICE_OUTCOMES) counts[s] += p.counts[s];
      return { ...c, progress, counts };
    });
  }

  /** Newest first; with `counts`, each with its devices' counters in all (one grouped read for the page). */
  async list(filter: { status?: string; limit?: number; counts?: boolean } = {}): Promise<(Campaign & { counts?: Record<DeviceOutcome, number> })[]> {
    const status = filter.status === undefined ? undefined : checkStatus(filter.status);
    return this.deps.sql.autocommit(async (db) => {
      const list = await listCampaigns(db, { status, limit: filter.limit ?? 100 });
      if (!filter.counts || list.length === 0) return list;
      const counts = await countsOf(db, list.map((c) => c.id));
      return list.map((c) => ({ ...c, counts: counts.get(c.id) ?? emptyCounts() }));
    });
  }

  pause(id: string): Promise<CampaignView> {
    return this.transition(id, 'pause');
  }

  resume(id: string): Promise<CampaignView> {
    return this.transition(id, 'resume');
  }

  /** Cancels: devices not started are skipped, runs in flight cancelled (now with a runner, else by the next tick). */
  async cancel(id: string): Promise<CampaignView> {
    const detail = await this.transition(id, 'cancel');
    if (this.deps.runner) await cancelRuns(this.deps.sql, this.deps.runner, id, Number.MAX_SAFE_INTEGER);
    return detail;
  }

  async devices(id: string, filter: { status?: string; after?: string; limit?: number } = {}): Promise<CampaignDevice[]> {
    await this.mustExist(id);
    const status = filter.status === undefined ? undefined : checkOutcome(filter.status);
    return this.deps.sql.autocommit((db) => listDevices(db, id, { status, after: filter.after, limit: filter.limit ?? 100 }));
  }

  private async transition(id: string, action: keyof typeof TRANSITIONS): Promise<CampaignView> {
    const { from, to } = TRANSITIONS[action];
    const now = this.now();
    const changed = await this.deps.sql.transaction(async (db) => {
      const ok = await setStatus(db, id, from, to, action === 'cancel' ? 'cancelled by an operator' : null, now);
      if (ok && action === 'cancel') await skipPending(db, id, 'campaign cancelled', now);
      return ok;
    });
    if (!changed) {
      const c = await this.mustExist(id);
      if (c.status !== to) throw new AcsError('ACS_ERR_CONFLICT', `campaign ${id} is ${c.status}: cannot ${action} (only from ${from.join(', ')})`);
    }
    return (await this.get(id)) as CampaignView;
  }

  private async mustExist(id: string): Promise<Campaign> {
    const c = await this.deps.sql.autocommit((db) => getCampaign(db, id));
    if (!c) throw new AcsError('ACS_ERR_NOT_FOUND', `no campaign with id ${id}`);
    return c;
  }
}

/** Devices by outcome of each campaign of `ids`. */
async function countsOf(db: Db, ids: string[]): Promise<Map<string, Record<DeviceOutcome, number>>> {
  const rows = await db.select(`SELECT campaign_id, status, COUNT(*) AS n FROM campaign_devices WHERE campaign_id IN ${placeholders(ids.length)} GROUP BY campaign_id, status`, ids);
  const byId = new Map<string, Record<DeviceOutcome, number>>();
  for (const r of rows) {
    const counts = byId.get(String(r.campaign_id)) ?? emptyCounts();
    counts[String(r.status) as DeviceOutcome] += Number(r.n);
    byId.set(String(r.campaign_id), counts);
  }
  return byId;
}

/** The ratio tick.ts failureReason compares with failureThreshold, and whether it may yet stop the campaign. */
function stageView(c: Campaign, p: StageProgress): StageView {
  const finished = p.counts.done + p.counts.failed;
  const judged = p.total - p.counts.skipped - p.counts.cancelled;
  return { ...p, failureRatio: finished === 0 ? null : p.counts.failed / finished, sampled: finished > 0 && finished >= Math.min(c.spec.minSample, judged) };
}

function checkStatus(s: string): CampaignStatus {
  if (!(STATUSES as readonly string[]).includes(s)) throw new AcsError('ACS_ERR_BAD_REQUEST', `status must be one of ${STATUSES.join(', ')}`);
  return s as CampaignStatus;
}

function checkOutcome(s: string): DeviceOutcome {
  if (!(DEVICE_OUTCOMES as readonly string[]).includes(s)) throw new AcsError('ACS_ERR_BAD_REQUEST', `status must be one of ${DEVICE_OUTCOMES.join(', ')}`);
  return s as DeviceOutcome;
}
