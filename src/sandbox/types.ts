/**
 * The contract of the provisioning-script sandbox: what a run is given, what
 * it hands back, and the read interface onto the device's cached data model.
 *
 * A run is a pure function of its input (replay model): the same script, view,
 * args, `now`, seed and ext results give the same RunResult, so the engine may
 * run a script, act on its declarations, and run it again from the start.
 */
import type { DeviceIdStruct, NotificationLevel, XsdType } from '../cwmp/soap/types';
import type { DeviceKey, EpochMs } from '../db/types';

/** A value as scripts see and declare it: booleans and integers are native, the rest the wire string. */
export type ScriptValue = string | number | boolean;

/**
 * How fresh each attribute of the matched parameters must be, as epoch ms:
 * the cached attribute must have been read at or after this time. A script
 * passes `Date.now()` (the session's start) to force a read in this session,
 * `1` for "any cached value will do".
 */
export interface DeclarationTimestamps {
  /** Existence of the path; for wildcards and alias filters, the instance list. */
  path?: EpochMs;
  object?: EpochMs;
  writable?: EpochMs;
  value?: EpochMs;
  notification?: EpochMs;
  accessList?: EpochMs;
}

/** The desired state of the matched parameters; absent fields are left as they are. */
export interface DeclaredValues {
  /** Desired value with its xsi:type (absent: keep the parameter's type or infer one). */
  value?: [ScriptValue, XsdType?];
  notification?: NotificationLevel;
  accessList?: string[];
  /** Desired number of instances matched by the path: exact, or [min, max]. */
  instances?: number | [number, number];
}

/** One call of `declare(path, timestamps, values)`, normalised. */
export interface Declaration {
  /** A path pattern: `*` wildcards and `[Key:Value,...]` alias filters allowed, no trailing ".". */
  path: string;
  timestamps: DeclarationTimestamps;
  values: DeclaredValues;
  /** Traced runs only ({@link RunInput.trace}): 1-based line of the declare() call in the operator's file (the .ts line for TypeScript). */
  line?: number;
  /** Traced runs only: 1-based column of the declare() call. */
  column?: number;
}

/** One call of `clear(path, timestamp)`: forget cached data of `path` older than `timestamp`. */
export interface Clear {
  path: string;
  timestamp: EpochMs;
}

/** An `ext(name, ...args)` call the run could not answer from `extResults`. */
export interface ExtCall {
  name: string;
  args: unknown[];
  /** The key to store its result under in the next run's `extResults` (see {@link extKey}). */
  key: string;
}

export type ScriptFaultCode =
  /** Ran past its time limit (a runaway loop). */
  | 'script.timeout'
  /** Past its memory limit; the isolate was replaced. */
  | 'script.memory'
  /** Threw (its own error, or an API misuse such as a malformed path). */
  | 'script.error'
  /** Does not compile (JavaScript or TypeScript). */
  | 'script.syntax'
  /** Exceeded a size limit of a run (declarations, logs, clears). */
  | 'script.limit'
  /** Not run: its {@link RunGate} refused it (the engine's budget for faulting runs is spent). */
  | 'script.budget';

/**
 * Lets the caller bound what runs may cost. `admit` is asked right before a
 * run executes, with nothing in between (so concurrent callers cannot all
 * pass before the first one is charged); `faulted` gets the time a faulting
 * run held the thread, its isolate's replacement included.
 */
export interface RunGate {
  admit(): boolean;
  faulted(ms: number): void;
}

/** Why a run failed, located in the operator's file when the error says where. */
export interface ScriptFault {
  code: ScriptFaultCode;
  /** The script's name (its file name under provisions/). */
  script: string;
  /** 1-based line in the operator's file (the .ts file for TypeScript scripts). */
  line?: number;
  /** 1-based column. */
  column?: number;
  message: string;
}

/** What a run produced. Partial results (declarations, logs) are kept on faults and stops. */
export interface RunResult {
  declarations: Declaration[];
  clears: Clear[];
  logs: string[];
  /**
   * true: the script ran to its end (or faulted). false: it stopped early,
   * either at a `commit()` whose declarations are not yet met (`stop: 'commit'`;
   * meet `declarations`, then run it again) or at an `ext()` call with no cached
   * result (`stop: 'ext'`; call `pendingExt`, then run it again with the result).
   */
  done: boolean;
  stop?: 'commit' | 'ext';
  pendingExt?: ExtCall;
  fault?: ScriptFault;
  /**
   * What the script body `return`ed, as JSON data (a copy); undefined when it
   * returned nothing, stopped early or faulted. Returning something that is not
   * JSON data (a function, undefined in an array, NaN, a Date, a cycle...) is a
   * `script.error`. Virtual parameter scripts return `{ value: [v, type?], writable? }`.
   */
  returned?: unknown;
}

// ------------------------------------------------------------ device view

/** One cached parameter or object matched by a pattern, as the view reports it. */
export interface ViewEntry {
  /** Concrete path, without a trailing "." even for objects ("Device.WiFi.SSID.1"). */
  path: string;
  /** Wire value (objects have none). */
  value?: string;
  type?: XsdType;
  writable?: boolean;
  object?: boolean;
  notification?: NotificationLevel;
  accessList?: string[];
  /** When each attribute was last read from the device (absent: never): the same keys a declaration asks about. */
  timestamps: DeclarationTimestamps;
}

/**
 * The host-side read interface the sandbox queries synchronously while a
 * script runs. Implementations must not do I/O: everything a run can see is
 * loaded before it starts (the session's cache).
 */
export interface DeviceView {
  /** The cached entries a pattern matches, in path order. Throws a PathSyntaxError (path-pattern.ts) on a malformed pattern. */
  lookup(pattern: string): ViewEntry[];
  /**
   * Whether these declarations are already met by the cache: nothing to read
   * and nothing to write. Drives `commit()`; the engine's planner can provide
   * its own (satisfied means "the planner would send no RPC for them").
   */
  satisfied(declarations: readonly Declaration[]): boolean;
}

// ------------------------------------------------------------ runs

/** A script as the pool runs it: a JavaScript function body. */
export interface ScriptSource {
  /** File name under provisions/ ("wifi.ts"); names faults and stack frames. */
  name: string;
  /** JavaScript function body (TypeScript already transpiled, see load.ts). */
  source: string;
  /** For transpiled scripts: maps lines of `source` back to the original file. */
  lineMap?: LineMapper;
  /** Known not to compile (see load.ts): runs return this fault. */
  fault?: ScriptFault;
}

/** Maps a 1-based (line, column) of generated code to the original file. */
export interface LineMapper {
  original(line: number, column: number): { line: number; column: number } | null;
}

/** Results of ext() calls known to the session, keyed by {@link extKey}. */
export type ExtResults = ReadonlyMap<string, unknown> | Readonly<Record<string, unknown>>;

export interface RunInput {
  /** The preset's arguments, copied into the script as `args`. */
  args?: readonly unknown[];
  deviceKey: DeviceKey;
  deviceId: DeviceIdStruct;
  /** EventCodes of the session's Inform ("1 BOOT", "M Reboot" ...). */
  events: readonly string[];
  /** The session's clock: Date.now() and `new Date()` in the script. */
  now: EpochMs;
  /** Seed of Math.random (default: the device key), so replays draw the same numbers. */
  seed?: string | number;
  view: DeviceView;
  extResults?: ExtResults;
  /**
   * Give each declaration the line and column of its declare() call
   * ({@link Declaration.line}): for tools such as `acs lint`. Costs a stack
   * capture per declaration (~8 µs); untraced runs pay nothing.
   */
  trace?: boolean;
}

/** The key an ext() result is stored under: the JSON of [name, ...args]. */
export function extKey(name: string, args: readonly unknown[]): string {
  return JSON.stringify([name, ...args]);
}
