/** What a benchmark scenario measures of one run. */
export interface Measured {
  sessionsPerS: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  rssMiB: number;
  cpu: Record<string, number>;
}

/** A row of the BENCHMARKS.md table: a measured run, named, with its target and a note. */
export interface Row extends Measured {
  scenario: string;
  target: string;
  note: string;
}
