/**
 * One tick of a campaign: everything it does follows from the database, so
 * a tick run twice, late, or by another process after a crash does the
 * right thing. Under the campaign's lease (one tick at a time):
 *
 * 1. a running campaign without its snapshot takes it (select.ts);
 * 2. finished runs give their devices' outcomes (outcomes.ts);
 * 3. a cancelled campaign cancels its runs in flight, and stops there;
 *    paused and stopped ones only record outcomes;
 * 4. the current stage is judged: too many failures stop the campaign, with
 *    the reason; a finished stage waits its waitMinutes, then the next one
 *    begins; the last one finishing makes the campaign done;
 * 5. otherwise the next devices start (start.ts: rate, in-flight limit, window).
 */
import type { AcsEvent } from '../webhooks/types';
import type { EpochMs, SqlAccess } from '../db/types';
import type { Logger } from '../log';
import type { WorkflowRunner } from '../workflows/types';
import { cancelRuns, recordOutcomes, recoverUnlinked } from './outcomes';
import { takeSnapshot } from './select';
import { startDevices } from './start';
import { acquireLease, getCampaign, releaseLease, setStatus, stageProgress, tickState } from './store';
import type { Campaign, StageProgress } from './types';

export interface TickOptions {
  /** How long a tick may hold its campaign before another process may take it over. */
  leaseMs: number;
  scanLimit: number;
  startConcurrency: number;
}

export const TICK_DEFAULTS: TickOptions = { leaseMs: 60_000, scanLimit: 2000, startConcurrency: 20 };

export interface TickDeps {
  sql: SqlAccess;
  runner: WorkflowRunner;
  log: Logger;
  options?: Partial<TickOptions>;
  /** Told of stage changes and ends (webhooks); never throws. */
  emit?: (events: AcsEvent[]) => Promise<void>;
}

export interface TickResult {
  /** False when another tick held the campaign (or it does not exist). */
  ran: boolean;
  started: number;
  finished: number;
}

/** Runs one tick of campaign `id` at time `now`. */
export async function tickCampaign(deps: TickDeps, id: string, now: EpochMs = Date.now()): Promise<TickResult> {
  const options = { ...TICK_DEFAULTS, ...deps.options };
  const leased = await deps.sql.transaction((db) => acquireLease(db, id, now, options.leaseMs));
  if (!leased) return { ran: false, started: 0, finished: 0 };
  try {
    return { ran: true, ...(await tickLeased(deps, options, id, now)) };
  } finally {
    await deps.sql.transaction((db) => releaseLease(db, id));
  }
}

async function tickLeased(deps: TickDeps, options: TickOptions, id: string, now: EpochMs): Promise<{ started: number; finished: number }> {
  let c = await deps.sql.autocommit((db) => getCampaign(db, id));
  if (!c) return { started: 0, finished: 0 };
  if (c.status === 'running' && !c.selected) {
    const n = await takeSnapshot(deps.sql, c, now);
    deps.log.info({ campaign: id, devices: n }, 'campaign selection taken');
    c = (await deps.sql.autocommit((db) => getCampaign(db, id))) as Campaign;
  }
  await recoverUnlinked(deps.sql, id);
  const finished = await recordOutcomes(deps.sql, id, now);
  if (c.status === 'cancelled') {
    await cancelRuns(deps.sql, deps.runner, id);
    return { started: 0, finished: finished + (await recordOutcomes(deps.sql, id, now)) };
  }
  if (c.status !== 'running') return { started: 0, finished };
  return { started: await advance(deps, options, c, now), finished };
}

/** Stage bookkeeping, then starts; returns the devices started. */
async function advance(deps: TickDeps, options: TickOptions, c: Campaign, now: EpochMs): Promise<number> {
  for (;;) {
    const progress = await deps.sql.autocommit((db) => stageProgress(db, c.id));
    const stage = progress.find((p) => p.stage === c.stage) ?? null;
    const failure = stage ? failureReason(c, stage) : null;
    if (failure) {
      await finish(deps, c, 'stopped', failure, now);
      return 0;
    }
    if (stage && (stage.counts.pending > 0 || stage.counts.started > 0)) {
      const state = await deps.sql.autocommit((db) => tickState(db, c.id));
      return startDevices({ ...options, sql: deps.sql, runner: deps.runner, log: deps.log }, c, state, now);
    }
    const next = await nextStage(deps, c, progress, now);
    if (next === 'wait') return 0;
    if (next === 'done') {
      await finish(deps, c, 'done', null, now);
      return 0;
    }
    c = { ...c, stage: next };
  }
}

/** The stop rule: failed / finished reaches the threshold once the sample is large enough. */
export function failureReason(c: Campaign, p: StageProgress): string | null {
  const finished = p.counts.done + p.counts.failed;
  const judged = p.total - p.counts.skipped - p.counts.cancelled;
  if (p.counts.failed === 0 || finished < Math.min(c.spec.minSample, judged)) return null;
  const ratio = p.counts.failed / finished;
  if (ratio < c.spec.failureThreshold) return null;
  const pct = (x: number) => `${Math.round(x * 1000) / 10} %`;
  return `stage ${p.stage + 1} of ${c.spec.stages.length}: ${p.counts.failed} of ${finished} finished devices failed (${pct(ratio)} >= ${pct(c.spec.failureThreshold)})`;
}

/** After a finished stage: 'wait' (its waitMinutes not over), the next stage's index (now current), or 'done'. */
async function nextStage(deps: TickDeps, c: Campaign, progress: StageProgress[], now: EpochMs): Promise<number | 'wait' | 'done'> {
  const later = progress.filter((p) => p.stage > c.stage && p.total > 0);
  if (later.length === 0) return 'done';
  const state = await deps.sql.autocommit((db) => tickState(db, c.id));
  const wait = (c.spec.stages[c.stage]?.waitMinutes ?? 0) * 60_000;
  if (state.stageDoneAt === null && wait > 0) {
    await deps.sql.transaction((db) => db.run('UPDATE campaigns SET stage_done_at = ?, updated_at = ? WHERE id = ?', [now, now, c.id]));
    return 'wait';
  }
  if (state.stageDoneAt !== null && now < state.stageDoneAt + wait) return 'wait';
  const next = later[0].stage;
  await deps.sql.transaction((db) =>
    db.run('UPDATE campaigns SET stage = ?, stage_started_at = ?, stage_done_at = NULL, updated_at = ? WHERE id = ? AND stage = ?', [next, now, now, c.id, c.stage]),
  );
  deps.log.info({ campaign: c.id, stage: next }, 'campaign stage started');
  await deps.emit?.([campaignEvent('campaign.progress', c.id, { status: 'running', stage: next, stages: c.spec.stages.length, progress })]);
  return next;
}

async function finish(deps: TickDeps, c: Campaign, status: 'stopped' | 'done', reason: string | null, now: EpochMs): Promise<void> {
  const changed = await deps.sql.transaction((db) => setStatus(db, c.id, ['running'], status, reason, now));
  if (!changed) return;
  deps.log.info({ campaign: c.id, status, reason }, `campaign ${status}`);
  const progress = await deps.sql.autocommit((db) => stageProgress(db, c.id));
  const data = { status, reason, stage: c.stage, stages: c.spec.stages.length, progress };
  await deps.emit?.([campaignEvent(status === 'stopped' ? 'campaign.stopped' : 'campaign.progress', c.id, data)]);
}

function campaignEvent(event: 'campaign.progress' | 'campaign.stopped', id: string, data: Record<string, unknown>): AcsEvent {
  return { event, device: null, time: Date.now(), data: { campaign: id, ...data } };
}
