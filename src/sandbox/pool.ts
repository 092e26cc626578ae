/**
 * The pool of sandbox isolates: the one entry point the engine uses to run a
 * provisioning script for a device.
 *
 *   const pool = new SandboxPool({ size: 2 });
 *   const result = await pool.run(script, { deviceKey, deviceId, events, now, view, args, extResults });
 *
 * A run borrows an idle isolate (or waits for one), compiles the script into
 * it on first use, and executes synchronously. An isolate that a run leaves
 * unusable (memory limit, time limit, a global it could not clean) is
 * disposed and a fresh one is created on demand: other runs carry on.
 * Faults are values in the result; run() rejects only on host bugs (a view
 * that throws) or a closed pool.
 */
import { createHash } from 'node:crypto';
import { SandboxIsolate, type IsolateLimits } from './isolate';
import type { RunGate, RunInput, RunResult, ScriptFault, ScriptSource } from './types';

export interface SandboxOptions {
  /** Isolates kept (default 2); runs beyond that wait for one. */
  size?: number;
  /** Memory limit of each isolate, MiB (default 32; isolated-vm's minimum is 8). */
  memoryLimitMb?: number;
  /** Time limit of one run, ms (default 50). */
  timeoutMs?: number;
  /** Declarations one run may make (default 10,000): beyond, a script.limit fault. */
  maxDeclarations?: number;
  /** clear() calls per run (default 1,000). */
  maxClears?: number;
  /** log() lines per run (default 100). */
  maxLogs?: number;
  /** Characters of one log line; longer lines are cut (default 1,000). */
  maxLogLength?: number;
  /** Compiled scripts kept per isolate, least recently used dropped (default 256). */
  maxScriptsPerIsolate?: number;
  /**
   * V8 lost control of an isolate (isolated-vm's onCatastrophicError): the
   * process should stop taking work and exit. Default: ignored.
   */
  onCatastrophicError?: (message: string) => void;
}

/**
 * Runs cut at their time limit while starved (Outcome.starved) are run again
 * this many times before the timeout counts as the script's fault: a busy
 * worker must not fault a benign script (its device then waits out the
 * channel's backoff), and a script that makes the host work (reads in a loop)
 * still faults, at twice its time limit.
 */
const STARVED_RETRIES = 1;

interface Waiter {
  resolve: (isolate: SandboxIsolate) => void;
  reject: (error: unknown) => void;
}

/** Per script name: the last source seen, its cache key, and its compile fault if any. */
interface KnownScript {
  source: string;
  key: string;
  fault?: ScriptFault;
}

export class SandboxPool {
  private readonly limits: IsolateLimits;
  private readonly size: number;
  private readonly idle: SandboxIsolate[] = [];
  private readonly waiting: Waiter[] = [];
  private readonly known = new Map<string, KnownScript>();
  /** Isolates alive or being created. */
  private live = 0;
  private closed = false;

  constructor(options: SandboxOptions = {}) {
    this.size = Math.max(1, options.size ?? 2);
    this.limits = {
      memoryLimitMb: options.memoryLimitMb ?? 32,
      timeoutMs: options.timeoutMs ?? 50,
      maxDeclarations: options.maxDeclarations ?? 10_000,
      maxClears: options.maxClears ?? 1_000,
      maxLogs: options.maxLogs ?? 100,
      maxLogLength: options.maxLogLength ?? 1_000,
      maxScriptsPerIsolate: options.maxScriptsPerIsolate ?? 256,
      onCatastrophicError: options.onCatastrophicError,
    };
  }

  /** Time limit of one run, ms. */
  get timeoutMs(): number {
    return this.limits.timeoutMs;
  }

  /** Creates the isolates now rather than at the first runs. */
  async warmUp(): Promise<void> {
    const borrowed = await Promise.all(Array.from({ length: this.size }, () => this.acquire()));
    for (const isolate of borrowed) this.release(isolate, false);
  }

  run(script: ScriptSource, input: RunInput, gate?: RunGate): Promise<RunResult> {
    if (script.fault) return Promise.resolve(faultResult(script.fault));
    const known = this.knownScript(script);
    if (known.fault) return Promise.resolve(faultResult(known.fault));
    // Fast path, no await: an idle isolate that already has the script compiled.
    const idle = this.closed ? undefined : this.idle.pop();
    const id = idle?.compiledId(known.key);
    if (idle && id !== undefined) {
      let first: RunResult | null;
      try {
        first = this.execute(idle, id, script, input, gate, true);
      } catch (error) {
        return Promise.reject(error);
      }
      return first ? Promise.resolve(first) : this.runPreparing(undefined, script, input, known, gate, STARVED_RETRIES - 1);
    }
    return this.runPreparing(idle, script, input, known, gate, STARVED_RETRIES);
  }

  private async runPreparing(idle: SandboxIsolate | undefined, script: ScriptSource, input: RunInput, known: KnownScript, gate: RunGate | undefined, retries: number): Promise<RunResult> {
    const isolate = idle ?? (await this.acquire());
    let prepared: Awaited<ReturnType<SandboxIsolate['prepare']>>;
    try {
      prepared = await isolate.prepare(script, known.key);
    } catch (error) {
      this.release(isolate, !isolate.usable);
      throw error;
    }
    if ('fault' in prepared) {
      known.fault = prepared.fault;
      this.release(isolate, !isolate.usable);
      return faultResult(prepared.fault);
    }
    return this.execute(isolate, prepared.id, script, input, gate, retries > 0) ?? this.runPreparing(undefined, script, input, known, gate, retries - 1);
  }

  /**
   * Runs on a borrowed isolate and gives it back (or replaces it); the gate is
   * asked and charged around it. null: the run was starved (see
   * Outcome.starved) and `retry` allows running it again, uncharged.
   */
  private execute(isolate: SandboxIsolate, id: number, script: ScriptSource, input: RunInput, gate: RunGate | undefined, retry: boolean): RunResult | null {
    if (gate && !gate.admit()) {
      this.release(isolate, false);
      return faultResult({ code: 'script.budget', script: script.name, message: 'not run: over the budget of faulting runs' });
    }
    const t0 = performance.now();
    let replace = true;
    let result: RunResult | null = null;
    try {
      const outcome = isolate.execute(id, script, input, seedOf(input.seed ?? input.deviceKey));
      replace = outcome.replace;
      result = outcome.starved && retry ? null : outcome.result;
      return result;
    } catch (error) {
      replace = !isolate.usable;
      throw error;
    } finally {
      this.release(isolate, replace || !isolate.usable);
      if (gate && result?.fault) gate.faulted(performance.now() - t0);
    }
  }

  /** Compiles a script without running it: its syntax fault, or null. */
  async check(script: ScriptSource): Promise<ScriptFault | null> {
    if (script.fault) return script.fault;
    const known = this.knownScript(script);
    if (known.fault) return known.fault;
    const isolate = await this.acquire();
    try {
      const prepared = await isolate.prepare(script, known.key);
      if ('fault' in prepared) known.fault = prepared.fault;
      return known.fault ?? null;
    } finally {
      this.release(isolate, !isolate.usable);
    }
  }

  /** Disposes the isolates; runs in progress finish, waiting ones are refused. */
  async close(): Promise<void> {
    this.closed = true;
    for (const isolate of this.idle.splice(0)) {
      isolate.dispose();
      this.live--;
    }
    for (const waiter of this.waiting.splice(0)) waiter.reject(new Error('sandbox pool closed'));
  }

  /** Isolates alive (or being created), and runs waiting for one. */
  stats(): { live: number; idle: number; waiting: number } {
    return { live: this.live, idle: this.idle.length, waiting: this.waiting.length };
  }

  private knownScript(script: ScriptSource): KnownScript {
    const known = this.known.get(script.name);
    if (known && known.source === script.source) return known;
    const hash = createHash('sha1').update(script.source).digest('hex');
    const fresh: KnownScript = { source: script.source, key: `${script.name}\0${hash}` };
    this.known.set(script.name, fresh);
    return fresh;
  }

  private async acquire(): Promise<SandboxIsolate> {
    if (this.closed) throw new Error('sandbox pool closed');
    const idle = this.idle.pop();
    if (idle) return idle;
    if (this.live < this.size) return this.createIsolate();
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private async createIsolate(): Promise<SandboxIsolate> {
    this.live++;
    try {
      return await SandboxIsolate.create(this.limits);
    } catch (error) {
      this.live--;
      throw error;
    }
  }

  private release(isolate: SandboxIsolate, replace: boolean): void {
    if (replace || this.closed) {
      // Disposing takes up to ~8 ms after a memory bomb: after this turn, off the path of the step that broke it.
      setImmediate(() => isolate.dispose());
      this.live--;
      const waiter = this.closed ? undefined : this.waiting.shift();
      if (waiter) this.createIsolate().then(waiter.resolve, waiter.reject);
      return;
    }
    const waiter = this.waiting.shift();
    if (waiter) waiter.resolve(isolate);
    else this.idle.push(isolate);
  }
}

function faultResult(fault: ScriptFault): RunResult {
  return { declarations: [], clears: [], logs: [], done: true, fault };
}

/** A 32-bit seed: numbers as they are, strings hashed (FNV-1a). */
export function seedOf(seed: string | number): number {
  if (typeof seed === 'number') return Math.trunc(seed) | 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    h ^= seed.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}
