/**
 * The WorkflowRunner: starts, reads, lists and cancels runs. Usable in any
 * process (NBI, campaigns): it writes the database and adds BullMQ jobs; the
 * workers do the rest.
 */
import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { parseDeviceKey } from '../db/device-row';
import { AcsError } from '../errors';
import { unwatchDevice, watchDevice } from '../tasks/committed';
import { enqueueAdvance } from './jobs';
import { checkArgs, WorkflowLibrary } from './library';
import { publicRun, RunStore, type StoredRun } from './run-store';
import { currentTask, withdrawTask, type TaskCanceller } from './task-cancel';
import { FINAL_RUN_STATUSES, type RunStart, type RunStatus, type WorkflowDef, type WorkflowRun, type WorkflowRunner } from './types';

export interface RunnerDeps {
  runs: RunStore;
  library: WorkflowLibrary;
  queue: Queue;
  redis: Redis;
  redisPrefix: string;
  /** Withdraws the task a cancelled run's step was waiting for; absent: the task stays queued. */
  taskCanceller?: TaskCanceller;
}

export class Runner implements WorkflowRunner {
  constructor(private readonly deps: RunnerDeps) {}

  private definitionOf(start: RunStart): WorkflowDef {
    const w = start.workflow;
    if (typeof w === 'string') return this.deps.library.get(w);
    if (typeof w !== 'object' || w === null || typeof w.name !== 'string') throw new AcsError('ACS_ERR_BAD_REQUEST', 'workflow must be a name or { name, definition }');
    return this.deps.library.inline(w.name, w.definition);
  }

  async start(start: RunStart): Promise<WorkflowRun> {
    if (typeof start.device !== 'string' || start.device === '') throw new AcsError('ACS_ERR_BAD_REQUEST', 'device must be a device id');
    try {
      parseDeviceKey(start.device);
    } catch (err) {
      throw new AcsError('ACS_ERR_BAD_REQUEST', `device: ${(err as Error).message}`);
    }
    const definition = this.definitionOf(start);
    const args = checkArgs(definition, start.args);
    const now = Date.now();
    const run: StoredRun = {
      id: randomUUID(),
      device: start.device,
      workflow: definition.name,
      args,
      status: 'running',
      step: definition.steps[0].name,
      reason: null,
      output: {},
      campaignId: start.campaign?.id ?? null,
      campaignStage: start.campaign?.stage ?? null,
      createdAt: now,
      updatedAt: now,
      version: 0,
      definition,
      state: { index: 0, compensating: false, failure: null, vars: null, tasks: {}, mark: now, wait: null, moves: 0, armed: definition.compensateFrom === null || definition.compensateFrom === definition.steps[0].name },
    };
    // Watched first: an extra watch costs a useless job, a missing one a lost event.
    await watchDevice(this.deps.redis, this.deps.redisPrefix, run.device);
    try {
      await this.deps.runs.insert(run);
    } catch (err) {
      await unwatchDevice(this.deps.redis, this.deps.redisPrefix, run.device);
      throw err;
    }
    await enqueueAdvance(this.deps.queue, run.id, run.version, 0, 'start');
    return publicRun(run);
  }

  async get(id: string): Promise<WorkflowRun | null> {
    const run = await this.deps.runs.get(id);
    return run ? publicRun(run) : null;
  }

  async list(filter: { device?: string; status?: RunStatus; campaign?: string; workflow?: string; limit?: number }): Promise<WorkflowRun[]> {
    return (await this.deps.runs.list(filter)).map(publicRun);
  }

  /**
   * Cancels a run that is not final, then the task its current step created
   * if that task has not finished (the run first: a look that saw the task
   * cancelled would fail the run instead). A final run is returned as it is;
   * a cancelled one has its task withdrawn again, for a first try that failed.
   * Null for an unknown id.
   */
  async cancel(id: string, reason = 'cancelled by an operator'): Promise<WorkflowRun | null> {
    for (;;) {
      const run = await this.deps.runs.get(id);
      if (!run) return null;
      if (FINAL_RUN_STATUSES.includes(run.status)) {
        if (run.status === 'cancelled') await this.withdrawTaskOf(run);
        return publicRun(run);
      }
      const next: StoredRun = { ...run, status: 'cancelled', reason, step: null, state: { ...run.state, wait: null } };
      if (await this.deps.runs.update(next, Date.now())) {
        await unwatchDevice(this.deps.redis, this.deps.redisPrefix, run.device);
        await this.withdrawTaskOf(next);
        return publicRun({ ...next, version: run.version + 1 });
      }
    }
  }

  private async withdrawTaskOf(run: StoredRun): Promise<void> {
    const task = currentTask(run);
    if (task !== null && this.deps.taskCanceller) await withdrawTask(this.deps.taskCanceller, task);
  }
}
