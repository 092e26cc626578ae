/**
 * The host side of `ext(name, ...args)`: runs operator extensions (Node
 * modules in the extensions folder) in one long-lived child process, so a
 * broken or slow extension cannot block or crash the engine worker.
 *
 * - One child per host, forked lazily on the first call, many calls in flight
 *   over IPC (extensions are mostly I/O-bound glue: a database lookup, an
 *   HTTP call; one process serves them all concurrently for ~one process of
 *   memory and one start-up).
 * - A call past `timeoutMs` answers `ext.timeout` at once. The host then pings
 *   the child: a child that does not answer within `livenessMs` is blocked
 *   (a synchronous loop) and is killed; its other in-flight calls answer
 *   `ext.error` and the next call gets a fresh child. A child that answers is
 *   kept (the slow call was waiting on I/O; its late answer is dropped), so one
 *   hanging HTTP request does not fail every other device's call.
 * - A child that exits (process.exit in an extension, an uncaught exception,
 *   a crash) fails its in-flight calls with `ext.error`; the next call forks a
 *   new one.
 * - `call()` never rejects.
 *
 * The child inherits the worker's environment (database and Redis passwords
 * included): extensions are operator code with the worker's trust; this is
 * fault isolation, not a security boundary.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Logger } from '../../log';
import { clip, jsonProblem, parseExtName, type ChildMessage, type ExtOutcome, type HostMessage } from './protocol';

export interface ExtensionHostOptions {
  /** The extensions folder (EXT_DIR), relative to the working directory or absolute. */
  dir: string;
  /** Time limit of one call (EXT_TIMEOUT_MS), counted from when the call reaches the child. */
  timeoutMs: number;
  log?: Logger;
  /** After a timeout, how long the child has to answer a ping before it is killed. Default 250 ms. */
  livenessMs?: number;
  /** How long a new child has to start. Default max(10 s, timeoutMs). */
  startupMs?: number;
  /**
   * Modules the ACS answers itself, in this process (e.g. `acs-qoe`, the
   * collection profiles): a file of the same name in the folder is never
   * loaded. Their names start with "acs-".
   */
  builtins?: Readonly<Record<string, BuiltinExtension>>;
}

/** A module of the ACS's own: called with the function name and the arguments; a thrown Error is an ext.error fault. */
export type BuiltinExtension = (fn: string | null, args: unknown[]) => Promise<unknown>;

/** The child script next to this file: child.ts under tsx, child.js in dist/. */
const CHILD = path.join(__dirname, `child${path.extname(__filename)}`);

/** Node flags for the child: none of the worker's (no inspector port clash), plus tsx when running from source. */
function childExecArgv(): string[] {
  if (path.extname(CHILD) !== '.ts') return [];
  return ['--require', require.resolve('tsx/cjs')];
}

interface Pending {
  name: string;
  resolve: (outcome: ExtOutcome) => void;
  message: Extract<HostMessage, { t: 'call' }>;
  timer?: NodeJS.Timeout;
}

/** One child process and the calls it carries. Replaced, never revived. */
interface Child {
  proc: ChildProcess;
  ready: boolean;
  dead: boolean;
  pending: Map<number, Pending>;
  startupTimer?: NodeJS.Timeout;
  pingTimer?: NodeJS.Timeout;
  /** The uncaught error it reported before exiting. */
  fatal?: string;
  exited: Promise<void>;
}

const fault = (code: 'ext.error' | 'ext.timeout' | 'ext.unknown', message: string): ExtOutcome => ({ ok: false, code, message: clip(message) });

export class ExtensionHost {
  readonly dir: string;
  private readonly timeoutMs: number;
  private readonly livenessMs: number;
  private readonly startupMs: number;
  private readonly log?: Logger;
  private child: Child | null = null;
  private nextId = 1;
  private closed = false;
  /** Every child still running (a replaced one until its exit), for close(). */
  private readonly live = new Set<Child>();

  private readonly builtins: Readonly<Record<string, BuiltinExtension>>;

  constructor(options: ExtensionHostOptions) {
    this.dir = path.resolve(options.dir);
    this.timeoutMs = options.timeoutMs;
    this.livenessMs = options.livenessMs ?? 250;
    this.startupMs = options.startupMs ?? Math.max(10_000, options.timeoutMs);
    this.log = options.log?.child({ component: 'ext' });
    this.builtins = options.builtins ?? {};
  }

  /** Calls extension `name` with JSON `args`; resolves with its value or a fault, never rejects. */
  call(name: string, args: unknown[]): Promise<ExtOutcome> {
    try {
      return this.dispatch(name, args);
    } catch (e) {
      // A host bug must still not reject: the caller treats faults as values.
      this.log?.error({ err: e, ext: name }, 'ext host failure');
      return Promise.resolve(fault('ext.error', `extension host failure: ${e instanceof Error ? e.message : String(e)}`));
    }
  }

  /** Fails calls still in flight (`ext.error`), stops the child and waits for it to exit. */
  async close(): Promise<void> {
    this.closed = true;
    const children = [...this.live];
    for (const child of children) {
      // Waiting for the exit must hold the event loop (the child is unref'd): else a CLI ends here, silently.
      child.proc.ref();
      this.retire(child, 'the extension host was closed');
    }
    await Promise.all(children.map((c) => c.exited));
  }

  private dispatch(name: string, args: unknown[]): Promise<ExtOutcome> {
    if (this.closed) return Promise.resolve(fault('ext.error', 'the extension host is closed'));
    const parsed = parseExtName(name);
    if (!parsed) {
      return Promise.resolve(
        fault(
          'ext.unknown',
          `invalid extension name ${JSON.stringify(String(name)).slice(0, 100)}: use a module name (letters, digits, '-', '_') ` +
            `optionally followed by '.' and a function name, e.g. 'orders' or 'orders.lookup'`,
        ),
      );
    }
    if (!Array.isArray(args)) return Promise.resolve(fault('ext.error', `arguments of '${name}' are not an array`));
    const problem = jsonProblem(args, 'args');
    if (problem) return Promise.resolve(fault('ext.error', `arguments of '${name}' are not JSON data: ${problem}`));

    const builtin = this.builtins[parsed.module];
    if (builtin) return answerBuiltin(builtin, parsed.fn, args);
    const child = this.child ?? this.spawn();
    const id = this.nextId++;
    return new Promise<ExtOutcome>((resolve) => {
      const pending: Pending = { name, resolve, message: { t: 'call', id, module: parsed.module, fn: parsed.fn, args } };
      child.pending.set(id, pending);
      if (child.ready) this.send(child, id, pending);
    });
  }

  private spawn(): Child {
    const proc = fork(CHILD, [this.dir], {
      execArgv: childExecArgv(),
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    let exited!: () => void;
    const child: Child = { proc, ready: false, dead: false, pending: new Map(), exited: new Promise((r) => (exited = r)) };
    this.child = child;
    this.live.add(child);

    // An idle host must not keep the process alive: call, ping and start-up timers do while they run.
    proc.unref();
    proc.channel?.unref();
    for (const [stream, level] of [
      [proc.stdout, 'info'],
      [proc.stderr, 'warn'],
    ] as const) {
      if (!stream) continue;
      (stream as Socket).unref?.();
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
        if (this.log) this.log[level]({ stream: level === 'info' ? 'stdout' : 'stderr', pid: proc.pid }, line);
        else process.stderr.write(`[ext ${proc.pid}] ${line}\n`);
      });
    }

    child.startupTimer = setTimeout(() => {
      this.log?.error({ pid: proc.pid, startupMs: this.startupMs }, 'ext process did not start; killed');
      this.retire(child, `the extension process did not start within ${this.startupMs} ms`);
    }, this.startupMs);

    proc.on('message', (message: ChildMessage) => this.receive(child, message));
    proc.on('error', (err) => {
      // Fork failure (EAGAIN, ENOMEM) or a failed kill; an exit may or may not follow.
      this.log?.error({ err, pid: proc.pid }, 'ext process error');
      this.retire(child, `the extension process failed: ${err.message}`);
      if (proc.exitCode !== null || proc.signalCode !== null || proc.pid === undefined) this.reap(child, exited);
    });
    proc.on('exit', (code, signal) => {
      if (!child.dead) {
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        const why = child.fatal ? `: ${child.fatal}` : ' (process.exit in an extension?)';
        this.log?.warn({ pid: proc.pid, code, signal, fatal: child.fatal, started: child.ready }, 'ext process died');
        this.retire(
          child,
          child.ready
            ? `the extension process ${how} during the call${why}`
            : `the extension process ${how} before it started (its stderr is in the log; ${CHILD})`,
        );
      }
      this.reap(child, exited);
    });
    this.log?.debug({ pid: proc.pid, dir: this.dir }, 'ext process forked');
    return child;
  }

  private reap(child: Child, exited: () => void): void {
    this.live.delete(child);
    exited();
  }

  private send(child: Child, id: number, pending: Pending): void {
    pending.timer = setTimeout(() => this.timeout(child, id), this.timeoutMs);
    try {
      child.proc.send(pending.message, undefined, undefined, (err) => {
        // The channel closed under us: the exit handler fails the call.
        if (err) this.log?.debug({ err, ext: pending.name }, 'ext send failed');
      });
    } catch (e) {
      // Serialization failure (the arguments were checked, so a bug): fail this call only.
      child.pending.delete(id);
      clearTimeout(pending.timer);
      this.log?.error({ err: e, ext: pending.name }, 'ext send failed');
      pending.resolve(fault('ext.error', `could not send the call to the extension process: ${e instanceof Error ? e.message : String(e)}`));
    }
  }

  private receive(child: Child, message: ChildMessage): void {
    // Extension code can process.send() too: ignore what is not ours rather than throw in the worker.
    if (child.dead || typeof message !== 'object' || message === null) return;
    switch (message.t) {
      case 'ready': {
        child.ready = true;
        clearTimeout(child.startupTimer);
        for (const [id, pending] of child.pending) this.send(child, id, pending);
        return;
      }
      case 'ok':
      case 'fault': {
        const pending = child.pending.get(message.id);
        if (!pending) return; // timed out already: the late answer is dropped
        child.pending.delete(message.id);
        clearTimeout(pending.timer);
        if (message.t === 'ok') {
          pending.resolve({ ok: true, value: message.value });
        } else {
          if (message.code === 'ext.error') this.log?.warn({ ext: pending.name, error: message.message, stack: message.stack }, 'ext call failed');
          pending.resolve(fault(message.code, message.message));
        }
        return;
      }
      case 'pong': {
        clearTimeout(child.pingTimer);
        child.pingTimer = undefined;
        return;
      }
      case 'fatal': {
        child.fatal = message.message;
        this.log?.error({ error: message.message, stack: message.stack }, 'ext uncaught error; the extension process ends');
        return;
      }
    }
  }

  private timeout(child: Child, id: number): void {
    const pending = child.pending.get(id);
    if (!pending) return;
    child.pending.delete(id);
    this.log?.warn({ ext: pending.name, timeoutMs: this.timeoutMs, pid: child.proc.pid }, 'ext call timed out');
    pending.resolve(fault('ext.timeout', `extension '${pending.name}' did not answer within ${this.timeoutMs} ms`));
    if (child.dead || child.pingTimer) return;
    const pingId = this.nextId++;
    child.pingTimer = setTimeout(() => {
      this.log?.warn({ ext: pending.name, pid: child.proc.pid, livenessMs: this.livenessMs }, 'ext process blocked; killed and replaced');
      this.retire(child, `the extension process was replaced: '${pending.name}' blocked it past its time limit`);
    }, this.livenessMs);
    child.proc.send({ t: 'ping', id: pingId } satisfies HostMessage, undefined, undefined, () => undefined);
  }

  /** Takes a child out of service: fails its calls with `reason`, kills it. Idempotent. */
  private retire(child: Child, reason: string): void {
    if (child.dead) return;
    child.dead = true;
    if (this.child === child) this.child = null;
    clearTimeout(child.startupTimer);
    clearTimeout(child.pingTimer);
    const calls = [...child.pending.values()];
    child.pending.clear();
    for (const pending of calls) {
      clearTimeout(pending.timer);
      pending.resolve(fault('ext.error', reason));
    }
    if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill('SIGKILL');
  }
}

async function answerBuiltin(builtin: BuiltinExtension, fn: string | null, args: unknown[]): Promise<ExtOutcome> {
  try {
    const value = await builtin(fn, args);
    const problem = jsonProblem(value, 'result');
    return problem ? fault('ext.error', problem) : { ok: true, value };
  } catch (e) {
    return fault('ext.error', e instanceof Error ? e.message : String(e));
  }
}
