/**
 * `acs start --processes N|auto [--workers M]`: which processes one command
 * runs on one machine. Pure: the command line in, the list of child roles out
 * (roles/cluster.ts forks them).
 */
import os from 'node:os';
import { ConfigError } from '../config/load';
import type { Role } from './shared';

/** The role of one child process of `acs start --processes`. */
export type ChildRole = 'cwmp' | 'worker' | 'nbi' | 'webhooks';

export interface ProcessCounts {
  /** Front ends (`--processes N`), or one per core. */
  processes: number | 'auto';
  /** Engine workers (`--workers M`); null: half the front ends, at least one. */
  workers: number | null;
}

/** More children than this is a typo, not a machine: each child is a whole Node process (~150 MiB). */
const MOST_PROCESSES = 256;

function count(flag: string, raw: string, least: number): number {
  if (!/^\d+$/.test(raw) || Number(raw) < least || Number(raw) > MOST_PROCESSES) {
    throw new ConfigError(`${flag} ${raw}: expected a whole number from ${least} to ${MOST_PROCESSES}${flag === '--processes' ? ', or auto' : ''}`);
  }
  return Number(raw);
}

/** Reads --processes and --workers (already split from the other options); null when --processes is absent: one process, as before. */
export function processCounts(processes: string | undefined, workers: string | undefined): ProcessCounts | null {
  if (processes === undefined) {
    if (workers !== undefined) throw new ConfigError('--workers needs --processes (one process runs its own worker)');
    return null;
  }
  return {
    processes: processes === 'auto' ? 'auto' : count('--processes', processes, 1),
    workers: workers === undefined ? null : count('--workers', workers, 0),
  };
}

/**
 * The children for `role`, front ends first, then workers, then the REST API:
 * - `all`: N front ends, M workers, one REST API process (it holds the
 *   single-instance ports: REST API, STUN, the GenieACS NBI) and, with
 *   workers, one webhooks process (at WEBHOOK_SCHEDULING idle, the workers
 *   leave the deliveries to it: roles/cluster.ts);
 * - `cwmp`: N front ends; `worker`: N workers.
 * `auto` is one front end per core; workers default to half the front ends (at
 * least one): a provisioned session costs a worker ~0.6 of what it costs the
 * front end, a quiet one nothing (README, Sizing).
 */
export function planProcesses(role: Role, counts: ProcessCounts, cores = os.availableParallelism()): ChildRole[] {
  const n = counts.processes === 'auto' ? cores : counts.processes;
  if (role === 'nbi' || role === 'webhooks') throw new ConfigError(`--processes with --role ${role}: only roles all, cwmp and worker run several processes (the REST API holds single-instance ports)`);
  if (role !== 'all' && counts.workers !== null) throw new ConfigError(`--workers with --role ${role}: only role all runs front ends and workers together`);
  if (role !== 'all') return Array.from({ length: n }, () => role);
  const m = counts.workers ?? Math.max(1, Math.floor(n / 2));
  // --workers 0: the workers run elsewhere, and deliver the webhooks there.
  const deliveries: ChildRole[] = m > 0 ? ['webhooks'] : [];
  return [...Array.from({ length: n }, (): ChildRole => 'cwmp'), ...Array.from({ length: m }, (): ChildRole => 'worker'), 'nbi', ...deliveries];
}
