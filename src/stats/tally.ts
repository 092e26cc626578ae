/**
 * What this process counted since the last flush, read from the Prometheus
 * counters it keeps anyway (metrics/registry.ts): sessions by outcome, Inform
 * events, CPE faults, channel faults. The session's hot path pays nothing
 * for the fleet statistics beyond the in-memory increments it already made
 * for /metrics; the flusher (flusher.ts) takes the differences every few
 * seconds.
 *
 * One tally per process, at module level on purpose, like the counters it
 * reads: a test process may run several ACSs, and each count must be taken
 * once, by whichever flusher comes first.
 */
import type { Counter } from 'prom-client';
import { metrics } from '../metrics/registry';
import { add, seriesName, type Counts } from './series';

type Labels = Partial<Record<string, string | number>>;

interface Source {
  counter: Counter<string>;
  /** The series a sample's labels count in; null: not counted. */
  series(labels: Labels): string | null;
}

const SOURCES: Source[] = [
  { counter: metrics.sessions, series: (l) => seriesName('s', String(l.outcome)) },
  { counter: metrics.informs, series: (l) => seriesName('e', String(l.event)) },
  // A response is not a fault; faults of every method add up under their code.
  { counter: metrics.rpcs, series: (l) => (l.fault === 'none' ? null : seriesName('f', String(l.fault))) },
  { counter: metrics.channelFaults, series: (l) => seriesName('c', String(l.code)) },
];

/** The counters' totals now, by series. */
async function totals(): Promise<Counts> {
  const out: Counts = new Map();
  for (const source of SOURCES) {
    for (const v of (await source.counter.get()).values) {
      const name = source.series(v.labels);
      if (name !== null) add(out, name, v.value);
    }
  }
  return out;
}

export class CounterTally {
  /** The totals at the last take. */
  private last: Counts = new Map();
  /** Counts taken but not written (Redis away): given again by the next take. */
  private owed: Counts = new Map();
  private users = 0;

  /** A flusher starts: the first one counts from now (what came before belongs to no running ACS). */
  async join(): Promise<void> {
    if (this.users++ === 0) [this.last, this.owed] = [await totals(), new Map()];
  }

  leave(): void {
    this.users = Math.max(0, this.users - 1);
  }

  /** What was counted since the last take (and what was given back), by series; empty when nothing was. */
  async take(): Promise<Counts> {
    const now = await totals();
    const out = this.owed;
    for (const [name, total] of now) {
      const before = this.last.get(name) ?? 0;
      // A counter reset (never done by the ACS itself) starts again from 0.
      add(out, name, total >= before ? total - before : total);
    }
    [this.last, this.owed] = [now, new Map()];
    return out;
  }

  /** Counts a flush could not write: the next take includes them. */
  giveBack(counts: Counts): void {
    for (const [name, n] of counts) add(this.owed, name, n);
  }
}

/** The process's tally. */
export const processTally = new CounterTally();
