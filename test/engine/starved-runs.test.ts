/**
 * Issue 15: a (c) run left one device in 3,000 unprovisioned, with no error
 * counted: its benign script had faulted with script.timeout. The time limit
 * is wall clock, and a run's wall clock also holds its host calls (the
 * planner behind commit()), the host's garbage collector and the time a busy
 * machine keeps the worker off the CPU. A run cut at its limit while the
 * process used less than the limit in CPU is run again once; a runaway
 * script (its own CPU) still faults at once, and a script that keeps the host
 * busy faults at the second try.
 */
import { strict as assert } from 'node:assert';
import { execFileSync, spawn } from 'node:child_process';
import { SandboxPool } from '../../src/sandbox/pool';
import type { DeviceView, RunGate, ViewEntry } from '../../src/sandbox/types';
import { runInput, sampleView } from '../unit/sandbox/helpers';

const LIMIT_MS = 2_000;
const SPIN = 'Device.X_TEST.Spin';

/**
 * Keeps this process's main thread (the one runs execute on) mostly off the
 * CPU, as a busy machine's scheduler does, while isolated-vm's timer thread
 * runs on: the thread is pinned to one CPU beside busy loops that end by
 * themselves soon after the time limit. Returns what gives the CPU back.
 */
function starveMainThread(): () => void {
  const tid = String(process.pid);
  const mask = /:\s*([0-9a-f]+)\s*$/i.exec(execFileSync('taskset', ['-p', tid], { encoding: 'utf8' }))?.[1] ?? 'ffffffff';
  // One process each (taskset execs node), so a kill ends it; each ends by itself anyway.
  const spin = `const end = Date.now() + ${1.25 * LIMIT_MS}; while (Date.now() < end);`;
  const hogs = Array.from({ length: 3 }, () => spawn('taskset', ['-c', '0', process.execPath, '-e', spin], { stdio: 'ignore' }));
  execFileSync('taskset', ['-p', '-c', '0', tid], { stdio: 'ignore' });
  return () => {
    for (const hog of hogs) hog.kill('SIGKILL');
    execFileSync('taskset', ['-p', mask, tid], { stdio: 'ignore' });
  };
}

let giveBack: (() => void) | null = null;
function restore(): void {
  giveBack?.();
  giveBack = null;
}

/**
 * The sample device plus SPIN: "1" (the script spins for ever) for the first
 * `spins` runs that read it, "0" after. With `starve`, each of those runs
 * spins off the CPU (the starving ends at the next read).
 */
function spinningView(spins: number, starve: boolean): DeviceView & { reads: number } {
  const inner = sampleView();
  const view = {
    reads: 0,
    lookup(pattern: string): ViewEntry[] {
      if (pattern !== SPIN) return inner.lookup(pattern);
      view.reads++;
      restore();
      const spin = view.reads <= spins;
      if (spin && starve) giveBack = starveMainThread();
      return [{ path: SPIN, value: spin ? '1' : '0', type: 'xsd:int', timestamps: {} }];
    },
    satisfied: (decls: Parameters<DeviceView['satisfied']>[0]) => inner.satisfied(decls),
  };
  return view;
}

/** A gate that admits everything and counts what it is charged. */
function countingGate(): RunGate & { charges: number } {
  const gate = { charges: 0, admit: () => true, faulted: () => void gate.charges++ };
  return gate;
}

const SCRIPT = `if (declare('${SPIN}').value[0] === 1) { let x = 0; for (;;) x++; }
log(declare('Device.ManagementServer.PeriodicInformInterval').value[0]);`;

describe('sandbox: runs starved of CPU are not the script\'s fault (issue 15)', function () {
  this.timeout(30_000);
  let pool: SandboxPool;
  let n = 0;
  const script = () => ({ name: `starved${++n}.js`, source: SCRIPT });

  beforeEach(async function () {
    pool = new SandboxPool({ size: 1, timeoutMs: LIMIT_MS });
    await pool.warmUp();
  });
  afterEach(async function () {
    restore();
    await pool.close();
  });

  it('a run kept off the CPU past its time limit is run again and completes, uncharged', async function () {
    const view = spinningView(1, true);
    const gate = countingGate();
    const s = script();
    await pool.run(s, runInput()); // compiled: the run below takes the pool's fast path
    const r = await pool.run(s, runInput({ view }), gate);
    assert.equal(r.fault, undefined, JSON.stringify(r.fault));
    assert.deepEqual(r.logs, ['3600']);
    assert.equal(view.reads, 2, 'cut once, run again');
    assert.equal(gate.charges, 0, 'the starved try is not charged to the channel');
  });

  it('the same on a script not compiled yet (the pool\'s slow path)', async function () {
    const view = spinningView(1, true);
    const r = await pool.run(script(), runInput({ view }));
    assert.equal(r.fault, undefined, JSON.stringify(r.fault));
    assert.equal(view.reads, 2);
  });

  it('a runaway loop (the script\'s own CPU) faults: at once on a machine that lets it spin, at the second try at worst', async function () {
    const view = spinningView(Infinity, false);
    const gate = countingGate();
    const r = await pool.run(script(), runInput({ view }), gate);
    assert.equal(r.fault?.code, 'script.timeout');
    assert.ok(view.reads <= 2, `run ${view.reads} times`);
    assert.equal(gate.charges, 1);
  });

  it('a run starved at every try faults at the second', async function () {
    const view = spinningView(Infinity, true);
    const r = await pool.run(script(), runInput({ view }));
    restore();
    assert.equal(r.fault?.code, 'script.timeout');
    assert.equal(view.reads, 2, 'run twice, no more');
  });
});
