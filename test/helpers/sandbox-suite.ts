/**
 * A sandbox suite's setup: one warmed-up SandboxPool for the suite's tests,
 * scripts under fresh names, and runs on the sample device
 * (test/unit/sandbox/helpers.ts's runInput).
 */
import { strict as assert } from 'node:assert';
import { SandboxPool } from '../../src/sandbox/pool';
import type { RunInput, RunResult, ScriptSource } from '../../src/sandbox/types';
import { runInput } from '../unit/sandbox/helpers';

export interface SandboxSuite {
  /** The suite's pool: open from its `before` hook to its `after` hook. */
  readonly pool: SandboxPool;
  /** A script of `source`, under a fresh name unless given one: the pool caches compiled scripts by name and content. */
  script(source: string, name?: string): ScriptSource;
  /** Runs a script (or a source, under a fresh name) on the sample device, `input` overriding. */
  run(s: string | ScriptSource, input?: Partial<RunInput>): Promise<RunResult>;
  /** As run, failing the test on a fault. */
  ok(s: string | ScriptSource, input?: Partial<RunInput>): Promise<RunResult>;
}

/** Call inside a `describe`: hooks open the pool (`size` isolates) before its tests and close it after. */
export function sandboxSuite(namePrefix: string, size = 1): SandboxSuite {
  let pool: SandboxPool | undefined;
  let n = 0;
  before(async function () {
    pool = new SandboxPool({ size });
    await pool.warmUp();
  });
  after(async function () {
    await pool?.close();
  });
  const suite: SandboxSuite = {
    get pool(): SandboxPool {
      if (pool === undefined) throw new Error('the sandbox pool is open only while the suite runs');
      return pool;
    },
    script: (source, name = `${namePrefix}${++n}.js`) => ({ name, source }),
    run: (s, input = {}) => suite.pool.run(typeof s === 'string' ? suite.script(s) : s, runInput(input)),
    async ok(s, input) {
      const r = await suite.run(s, input);
      assert.equal(r.fault, undefined, JSON.stringify(r.fault));
      return r;
    },
  };
  return suite;
}
