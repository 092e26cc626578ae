/**
 * One pooled isolate: a context prepared once by the runtime (runtime-source.ts),
 * the scripts compiled into it (by name + content hash, least recently used
 * evicted), and a synchronous run.
 *
 * Runs are synchronous on the caller's thread (Reference.applySync): a host
 * callback (a declare() lookup) then costs 3-5 µs instead of ~70 µs across
 * threads, and a typical run stays in the tens of µs. The price: a runaway
 * script holds the event loop for its time limit (and a memory bomb until the
 * isolate is disposed, ~0.1 s). Compiling is asynchronous.
 */
import ivm from 'isolated-vm';
import { ActiveRun, type HostError } from './host-calls';
import { makeFault, originalPosition, locateSyntaxError, positionInCompileError, positionInStack, WRAPPER_PREFIX, WRAPPER_SUFFIX } from './script-faults';
import { RUNTIME_SOURCE } from './runtime-source';
import type { Clear, Declaration, ExtCall, RunInput, RunResult, ScriptFault, ScriptSource } from './types';
import { decodeDeclarations, type Flat } from './wire';

export interface IsolateLimits {
  memoryLimitMb: number;
  timeoutMs: number;
  maxDeclarations: number;
  maxClears: number;
  maxLogs: number;
  maxLogLength: number;
  maxScriptsPerIsolate: number;
  onCatastrophicError?: (message: string) => void;
}

/**
 * What the runtime's run() returns (copied out of the isolate): declarations
 * (flat, wire.ts), clears, logs, stop, pending ext call, halt code and
 * message, error name, message and stack, the returned value as JSON, and
 * for traced runs the stack of each declaration's declare() call.
 */
type RawOutput = [
  declarations: Flat,
  clears: Clear[],
  logs: string[],
  stop: 'commit' | 'ext' | null,
  pendingExt: ExtCall | null,
  haltCode: 'limit' | 'host' | null,
  haltMessage: string | null,
  errorName: string | null,
  errorMessage: string | null,
  errorStack: string | null,
  returned: string | null,
  traces: string[] | null,
];

/** The runtime's entry points, as references held by the host. */
interface RuntimeRefs {
  run: ivm.Reference<(id: number, now: number, seed: number, args: unknown[] | null, trace: boolean) => RawOutput>;
  register: ivm.Reference<(id: number, fn: unknown) => void>;
  forget: ivm.Reference<(id: number) => void>;
  checkBody: ivm.Reference<(source: string) => void>;
  partial: ivm.Reference<() => string[]>;
  takeLast: ivm.Reference<() => RawOutput | null>;
}

/** The run a host callback belongs to; set only while a run executes. */
interface RunSlot {
  current: ActiveRun | null;
}

export interface Outcome {
  result: RunResult;
  /** The isolate must not serve another run (disposed, near its memory limit, or cut short). */
  replace: boolean;
  /**
   * Cut at its time limit while the process used less than that limit in
   * CPU: the wall clock went to host calls, the host's garbage collector or a
   * busy machine's scheduler, not to a runaway script (the pool runs it again).
   */
  starved?: boolean;
}

const SETUP_TIMEOUT_MS = 5_000;
/** Share of the memory limit in use at a timeout that makes it a memory fault. */
const NEAR_LIMIT = 0.75;

export class SandboxIsolate {
  private readonly compiled = new Map<string, number>();
  private nextId = 1;

  constructor(
    private readonly isolate: ivm.Isolate,
    private readonly refs: RuntimeRefs,
    private readonly context: ivm.Context,
    private readonly slot: RunSlot,
    private readonly limits: IsolateLimits,
  ) {}

  static async create(limits: IsolateLimits): Promise<SandboxIsolate> {
    const isolate = new ivm.Isolate({ memoryLimit: limits.memoryLimitMb, onCatastrophicError: limits.onCatastrophicError });
    try {
      const context = await isolate.createContext();
      const slot: RunSlot = { current: null };
      const refs = await installRuntime(context, slot, limits);
      return new SandboxIsolate(isolate, refs, context, slot, limits);
    } catch (error) {
      if (!isolate.isDisposed) isolate.dispose();
      throw error;
    }
  }

  get usable(): boolean {
    return !this.isolate.isDisposed;
  }

  dispose(): void {
    if (!this.isolate.isDisposed) this.isolate.dispose();
  }

  /** The id of a script already compiled here (and marks it recently used). */
  compiledId(key: string): number | undefined {
    const id = this.compiled.get(key);
    if (id !== undefined) {
      this.compiled.delete(key); // least recently used first in the map
      this.compiled.set(key, id);
    }
    return id;
  }

  /** Compiles the script into this isolate unless it already is; a syntax fault otherwise. */
  async prepare(script: ScriptSource, key: string): Promise<{ id: number } | { fault: ScriptFault }> {
    const known = this.compiledId(key);
    if (known !== undefined) return { id: known };
    const compiled = await compileWrapped(this.isolate, script);
    if ('fault' in compiled) return compiled;
    try {
      await this.refs.checkBody.apply(undefined, [script.source], { arguments: { copy: true }, timeout: SETUP_TIMEOUT_MS });
    } catch (error) {
      compiled.script.release();
      return { fault: notABody(script, error) };
    }
    const id = this.nextId++;
    const fn = await compiled.script.run(this.context, { reference: true, release: true, timeout: SETUP_TIMEOUT_MS });
    try {
      await this.refs.register.apply(undefined, [id, fn.derefInto()], { timeout: SETUP_TIMEOUT_MS });
    } finally {
      fn.release();
    }
    this.remember(key, id);
    return { id };
  }

  /** Runs a prepared script, synchronously, within the time limit. */
  execute(id: number, script: ScriptSource, input: RunInput, seed: number): Outcome {
    const run = new ActiveRun(input);
    const args = input.args && input.args.length > 0 ? [...input.args] : null;
    this.slot.current = run;
    const cpu0 = cpuMark();
    let out: RawOutput;
    try {
      out = this.refs.run.applySync(undefined, [id, input.now, seed, args, input.trace === true], {
        arguments: { copy: true },
        result: { copy: true },
        timeout: this.limits.timeoutMs,
      });
    } catch (error) {
      return this.interrupted(error, script, cpu0);
    } finally {
      this.slot.current = null;
    }
    if (run.hostError !== null || out[5] === 'host') throw run.hostError ?? new Error(out[6] ?? 'host call failed');
    return outcomeOf(out, script, this.limits);
  }

  private remember(key: string, id: number): void {
    this.compiled.set(key, id);
    if (this.compiled.size <= this.limits.maxScriptsPerIsolate) return;
    const [oldestKey, oldestId] = this.compiled.entries().next().value as [string, number];
    this.compiled.delete(oldestKey);
    this.refs.forget.applySync(undefined, [oldestId]);
  }

  /** The run did not return: time limit, memory limit, an error in its promise jobs, or the isolate broke. */
  private interrupted(error: unknown, script: ScriptSource, cpu0: NodeJS.CpuUsage): Outcome {
    const message = error instanceof Error ? error.message : String(error);
    const empty = { declarations: [], clears: [], done: true };
    if (this.isolate.isDisposed) {
      const fault = makeFault('script.memory', script, `exceeded the memory limit (${this.limits.memoryLimitMb} MiB)`);
      return { result: { ...empty, logs: [], fault }, replace: true };
    }
    if (/timed out/i.test(message)) {
      // A memory bomb often meets the time limit first (GC near the limit slows it down): name the real cause.
      const fault = this.nearMemoryLimit()
        ? makeFault('script.memory', script, `reached the memory limit (${this.limits.memoryLimitMb} MiB) when stopped at its time limit`)
        : makeFault('script.timeout', script, `ran longer than ${this.limits.timeoutMs} ms`);
      // The whole limit, not a share of it: the reading is the process's, and a busy worker's main thread
      // alone can use half of it meanwhile (a run lost that way in a quiet (c) run). A runaway reads at
      // least its own limit; one misread costs one more try, never more.
      const starved = fault.code === 'script.timeout' && cpuMsSince(cpu0) < this.limits.timeoutMs;
      return { result: { ...empty, logs: this.partialLogs(), fault }, replace: true, starved };
    }
    const last = this.takeLast();
    if (last === null) return { result: { ...empty, logs: [], fault: makeFault('script.error', script, message) }, replace: true };
    // The run itself completed; asynchronous code it left behind failed (an unhandled rejection).
    const outcome = outcomeOf(last, script, this.limits);
    if (!outcome.result.fault) {
      const name = error instanceof Error && error.name !== 'Error' ? `${error.name}: ` : '';
      const stack = error instanceof Error ? error.stack ?? '' : '';
      outcome.result.fault = makeFault('script.error', script, `${name}${message} (in a promise job)`, positionInStack(stack, script.name));
      delete outcome.result.returned;
    }
    return outcome;
  }

  private takeLast(): RawOutput | null {
    try {
      return this.refs.takeLast.applySync(undefined, [], { result: { copy: true }, timeout: 20 });
    } catch {
      return null;
    }
  }

  private nearMemoryLimit(): boolean {
    try {
      const heap = this.isolate.getHeapStatisticsSync();
      const used = heap.used_heap_size + heap.externally_allocated_size;
      return used >= NEAR_LIMIT * this.limits.memoryLimitMb * 1024 * 1024;
    } catch {
      return this.isolate.isDisposed;
    }
  }

  private partialLogs(): string[] {
    try {
      return this.refs.partial.applySync(undefined, [], { result: { copy: true }, timeout: 20 });
    } catch {
      return [];
    }
  }
}

async function installRuntime(context: ivm.Context, slot: RunSlot, limits: IsolateLimits): Promise<RuntimeRefs> {
  const noRun: HostError = { error: 'no run in progress', halt: true };
  const lookup = (path: string): string | HostError => slot.current?.lookup(path) ?? noRun;
  const satisfied = (declarations: Flat): boolean | HostError => slot.current?.satisfied(declarations) ?? noRun;
  const ext = (key: string): [true, unknown] | [false] => slot.current?.ext(key) ?? [false];
  const window = (every: number | string, variance: number | null): number | HostError => slot.current?.window(every, variance) ?? noRun;
  const runtimeLimits = JSON.stringify({
    declarations: limits.maxDeclarations,
    clears: limits.maxClears,
    logs: limits.maxLogs,
    logLength: limits.maxLogLength,
  });
  const api = await context.evalClosure(
    RUNTIME_SOURCE,
    [new ivm.Callback(lookup), new ivm.Callback(satisfied), new ivm.Callback(ext), new ivm.Callback(window), runtimeLimits],
    { result: { reference: true }, timeout: SETUP_TIMEOUT_MS },
  );
  try {
    // The references are typed by hand: what the runtime returns is known, not inferable.
    const get = <T>(name: string) => api.getSync(name, { reference: true }) as ivm.Reference<T>;
    return {
      run: get('run'),
      register: get('register'),
      forget: get('forget'),
      checkBody: get('checkBody'),
      partial: get('partial'),
      takeLast: get('takeLast'),
    };
  } finally {
    api.release();
  }
}

/** How stale the CPU reading a run starts from may be (a reading costs a system call; runs are far more frequent). */
const CPU_MARK_MS = 10;
let mark = { at: -Infinity, usage: process.cpuUsage() };

/**
 * A reading of this process's CPU time taken at most CPU_MARK_MS before now:
 * measured from it, a run's CPU is overstated by that much at most, so a
 * runaway script is never taken for a starved one.
 */
function cpuMark(): NodeJS.CpuUsage {
  const now = performance.now();
  if (now - mark.at > CPU_MARK_MS) mark = { at: now, usage: process.cpuUsage() };
  return mark.usage;
}

/**
 * CPU time this process used since `start`. The run's own thread is the one
 * that matters, but Node 20 has no per-thread measure, and isolated-vm's
 * `cpuTime` counts wall time on Linux builds like ours (a run kept off the CPU
 * for 7 s read 7 s): the process's other threads (its event loop, the GC's)
 * add to it, so only a reading under the whole limit says "starved".
 */
function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/** Compiles the script wrapped as a function; a syntax fault located in the operator's file if it does not compile. */
export async function compileWrapped(isolate: ivm.Isolate, script: ScriptSource): Promise<{ script: ivm.Script } | { fault: ScriptFault }> {
  try {
    const code = WRAPPER_PREFIX + script.source + WRAPPER_SUFFIX;
    return { script: await isolate.compileScript(code, { filename: script.name, lineOffset: -1 }) };
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    const located = positionInCompileError(text, script.name);
    const { message, position } = locateSyntaxError(script.source, located.message, located.position);
    return { fault: makeFault('script.syntax', script, message, position) };
  }
}

/** Compiled wrapped, yet not a function body on its own: it closes the wrapper early ("})"). */
export function notABody(script: ScriptSource, error: unknown): ScriptFault {
  const text = error instanceof Error ? error.message : String(error);
  const { message, position } = locateSyntaxError(script.source, `not a script body (unbalanced braces?): ${text}`, null);
  return makeFault('script.syntax', script, message, position);
}

function outcomeOf(out: RawOutput, script: ScriptSource, limits: IsolateLimits): Outcome {
  const [declarations, clears, logs, stop, pendingExt, haltCode, haltMessage, errorName, errorMessage, errorStack, returned, traces] = out;
  const result: RunResult = { declarations: decodeDeclarations(declarations), clears, logs, done: stop === null };
  if (traces !== null) locate(result.declarations, traces, script);
  if (stop !== null) result.stop = stop;
  if (pendingExt !== null) result.pendingExt = pendingExt;
  let replace = false;
  if (haltCode !== null) result.fault = makeFault('script.limit', script, haltMessage ?? '');
  if (errorMessage !== null) {
    const name = errorName ?? '';
    if (name === 'RangeError' && /allocation failed/i.test(errorMessage)) {
      // A failed ArrayBuffer allocation is catchable, yet the isolate may be disposed at its next use.
      result.fault = makeFault('script.memory', script, `exceeded the memory limit (${limits.memoryLimitMb} MiB): ${errorMessage}`);
      replace = true;
    } else {
      const message = name ? `${name}: ${errorMessage}` : errorMessage;
      result.fault = makeFault('script.error', script, message, positionInStack(errorStack ?? '', script.name));
    }
  }
  if (returned !== null && result.fault === undefined) result.returned = JSON.parse(returned) as unknown;
  return { result, replace };
}

/** Traced runs: each declaration gets the line and column of its declare() call in the operator's file. */
function locate(declarations: Declaration[], traces: readonly string[], script: ScriptSource): void {
  for (let i = 0; i < declarations.length && i < traces.length; i++) {
    const where = originalPosition(script, positionInStack(traces[i], script.name));
    if (where) {
      declarations[i].line = where.line;
      declarations[i].column = where.column;
    }
  }
}
