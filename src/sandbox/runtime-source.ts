/**
 * The code that runs inside each pooled context, once, before any script:
 * it installs the script API, makes the context deterministic and locks it
 * down, and hands the host its entry points (see RuntimeRefs in isolate.ts).
 *
 * Evaluated with evalClosure: $0 = lookup(path), $1 = satisfied(flatDecls),
 * $2 = ext(key) and $3 = window(intervalOrCron, variance) are synchronous host
 * callbacks, $4 = the limits as JSON.
 *
 * Isolation between runs without a fresh context per run (445 µs):
 * - every intrinsic reachable from the global (and the hidden ones: iterator
 *   and generator prototypes, %TypedArray%...) is frozen, so no run can change
 *   a built-in the next one uses. A few properties that ordinary code
 *   overrides on its own objects (toString, constructor, Error name/message)
 *   become accessors that define the property on the instance instead (the
 *   "override mistake" of frozen prototypes);
 * - the global itself is frozen: scripts run in strict mode, so an undeclared
 *   assignment is a ReferenceError at its line rather than a global that the
 *   next run would see. (Deleting what a run added instead costs ~25 µs a run:
 *   enumerating V8's global object is slow.)
 * - state that survives in the engine itself is removed: RegExp.$1 and
 *   friends, WeakRef/FinalizationRegistry (GC timing), eval (an indirect eval
 *   declares global `let` bindings, which nothing can delete), SharedArrayBuffer,
 *   Atomics and WebAssembly;
 * - Date.now() and `new Date()` read the run's `now`; Math.random is a
 *   mulberry32 generator reseeded at each run. Date.now(interval[, variance])
 *   and Date.now(cron) ask the host for the start of the device's current
 *   window (date-window.ts).
 *
 * The script is a strict function body with no parameters: declare, clear,
 * commit, log, ext and args are globals, as in GenieACS, so a script may
 * declare a local `args` (or `log`) of its own. `args` is an accessor that
 * reads the run's copy. What the script returns is copied out as JSON (a
 * value that is not JSON data is an error). A traced run (RunInput.trace)
 * also keeps, per declaration, the stack of its declare() call, from which
 * the host takes the script's line.
 * The runtime is strict code too, so `fn.caller` and the like lead nowhere.
 *
 * Copying structured data between isolates costs per object (~3 µs per
 * declaration as nested objects), so declarations, clears and lookup results
 * cross as flat arrays of primitives (wire.ts has the layout).
 */
export const RUNTIME_SOURCE = String.raw`
'use strict';
const hostLookup = $0, hostSatisfied = $1, hostExt = $2, hostWindow = $3;
const LIMITS = JSON.parse($4);
const G = globalThis;
const { freeze, defineProperty, getOwnPropertyDescriptor, getOwnPropertyDescriptors, getPrototypeOf, keys: objectKeys } = Object;
const ObjectPrototype = Object.prototype;
const captureStackTrace = Error.captureStackTrace;
const { ownKeys, apply, construct, deleteProperty } = Reflect;
const isArray = Array.isArray;
const jsonStringify = JSON.stringify, jsonParse = JSON.parse;
const toStr = String;
const isFiniteNumber = Number.isFinite, isInteger = Number.isInteger;
const imul = Math.imul;
const RealDate = G.Date;
const dateValue = RealDate.prototype.valueOf;
const FunctionCtor = G.Function;
const hasOwn = Object.prototype.hasOwnProperty;

// ---------------------------------------------------------------- determinism
let nowMs = 0;
let rngState = 0;
function random() {
  rngState = (rngState + 0x6D2B79F5) | 0;
  let t = rngState;
  t = imul(t ^ (t >>> 15), t | 1);
  t ^= t + imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
function FixedDate(...args) {
  if (new.target === undefined) return toStr(new RealDate(nowMs));
  return construct(RealDate, args.length === 0 ? [nowMs] : args, new.target);
}
defineProperty(FixedDate, 'name', { value: 'Date' });
defineProperty(FixedDate, 'length', { value: 7 });
FixedDate.prototype = RealDate.prototype;
defineProperty(RealDate.prototype, 'constructor', { value: FixedDate, writable: true, configurable: true });
// GenieACS's forms: Date.now(interval[, variance]) and Date.now(cron[, variance]) give the start of the
// device's current window; no argument (or null) is the run's now.
FixedDate.now = function now(intervalOrCron, variance) {
  if (intervalOrCron === undefined || intervalOrCron === null) return nowMs;
  if (typeof intervalOrCron !== 'number' && typeof intervalOrCron !== 'string') throw new TypeError('Date.now(): the argument must be an interval in ms or a cron expression');
  if (variance !== undefined && variance !== null && typeof variance !== 'number') throw new TypeError('Date.now(): variance must be a number of ms');
  const r = hostWindow(intervalOrCron, variance ?? null);
  if (typeof r === 'number') return r;
  if (r.halt && active && state !== null) { state.halt = { code: 'host', message: r.error }; throw STOP; }
  throw new RangeError(r.error);
};
FixedDate.parse = RealDate.parse;
FixedDate.UTC = RealDate.UTC;
G.Date = FixedDate;
G.Math.random = random;

for (const name of ['eval', 'WeakRef', 'FinalizationRegistry', 'SharedArrayBuffer', 'Atomics', 'WebAssembly']) deleteProperty(G, name);
for (const name of ownKeys(G.RegExp)) {
  const d = getOwnPropertyDescriptor(G.RegExp, name);
  if (d.get !== undefined && name !== Symbol.species) deleteProperty(G.RegExp, name);
}

// ---------------------------------------------------------------- per-run state
const STOP = new Error('the run stops here; the engine resumes it from the start');
let state = null;
let active = false;

function enter() {
  const st = state;
  if (!active || st === null) throw new Error('the script API is only available while the script runs (asynchronous code is not supported)');
  if (st.stop !== null || st.halt !== null) throw STOP;
  return st;
}
function halt(st, code, message) {
  st.halt = { code, message };
  throw STOP;
}

// ---------------------------------------------------------------- validation
const XSD_TYPES = ['xsd:string', 'xsd:int', 'xsd:unsignedInt', 'xsd:long', 'xsd:unsignedLong', 'xsd:boolean', 'xsd:dateTime', 'xsd:base64', 'xsd:hexBinary'];

// Scripts declare the same literal paths run after run: remember the valid ones (only strings, nothing a script can reach).
const validPaths = new Map();
function checkPath(fn, path) {
  if (typeof path !== 'string' || path === '') throw new TypeError(fn + '(): path must be a non-empty string');
  const known = validPaths.get(path);
  if (known !== undefined) return known;
  const text = parsePath(fn, path);
  if (validPaths.size >= 10000) validPaths.clear();
  validPaths.set(path, text);
  return text;
}

// TR-069 names are at most 256 characters; a "*" or "[...]" segment stands for an instance number (counted as 1).
const MAX_NAME_LENGTH = 256;
const CONTROL = /[\u0000-\u001f\u007f]/;

function parsePath(fn, path) {
  const text = path.endsWith('.') ? path.slice(0, -1) : path;
  const bad = CONTROL.exec(path);
  if (bad !== null) throw new TypeError(fn + '(): control character U+' + bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0') + ' at index ' + bad.index + ' of path "' + jsonStringify(path).slice(1, 81) + '"');
  const nameLength = text.replace(/\[[^\]]*\]/g, '1').length;
  if (nameLength > MAX_NAME_LENGTH) throw new TypeError(fn + '(): path of ' + nameLength + ' characters, more than ' + MAX_NAME_LENGTH + ' (TR-069): "' + path.slice(0, 60) + '…"');
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = text[i];
    if (c === '[') {
      const close = text.indexOf(']', i);
      if (close < 0 || i !== start) throw new TypeError(fn + '(): malformed alias filter in path "' + path + '"');
      const body = text.slice(i + 1, close);
      if (body.indexOf('[') >= 0) throw new TypeError(fn + '(): nested "[" in path "' + path + '"');
      for (const part of body.split(',')) {
        const colon = part.indexOf(':');
        if (colon <= 0) throw new TypeError(fn + '(): alias filter "' + part + '" is not Key:Value in path "' + path + '"');
        if (part.slice(0, colon).split('.').some((k) => k === '' || k === '*')) throw new TypeError(fn + '(): bad alias key in path "' + path + '"');
      }
      i = close;
      if (i + 1 < text.length && text[i + 1] !== '.') throw new TypeError(fn + '(): "]" must end a segment in path "' + path + '"');
    } else if (c === '.' || c === undefined) {
      const seg = text.slice(start, i);
      if (seg === '') throw new TypeError(fn + '(): empty segment in path "' + path + '"');
      if (seg[0] !== '[' && seg !== '*' && /[*\[\]]/.test(seg)) throw new TypeError(fn + '(): "*" and "[...]" must be whole segments in path "' + path + '"');
      start = i + 1;
    }
  }
  return text;
}

function timeOf(fn, what, t) {
  if (typeof t === 'object' && t !== null) {
    try { t = apply(dateValue, t, []); } catch (e) { t = NaN; }
  }
  if (typeof t !== 'number' || !isFiniteNumber(t)) throw new TypeError(fn + '(): ' + what + ' must be a time (epoch ms or Date)');
  return t;
}

// for-in rather than Reflect.ownKeys: ~10x cheaper in V8 on small objects (enum cache).
function normTimestamps(ts) {
  const out = {};
  if (ts === undefined || ts === null) return out;
  if (typeof ts !== 'object') throw new TypeError('declare(): timestamps must be an object');
  for (const key in ts) {
    const t = ts[key];
    switch (key) {
      case 'path': case 'object': case 'writable': case 'value': case 'notification': case 'accessList':
        if (t !== undefined && t !== null) out[key] = timeOf('declare', 'timestamps.' + key, t);
        break;
      default:
        throw new TypeError('declare(): unknown timestamp "' + key + '"');
    }
  }
  return out;
}

// A BigInt travels as its exact decimal text; a number past 2^53 has already lost digits (2**60 prints
// 1152921504606847000), so it is refused rather than sent rounded (xsd:long/unsignedLong, issue 8).
function scalar(v) {
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return '' + v;
  if (typeof v === 'number' && isFiniteNumber(v)) {
    if (isInteger(v) && (v > 9007199254740991 || v < -9007199254740991)) throw new RangeError('declare(): ' + v + ' is not an exact integer; pass a string or BigInt');
    return v;
  }
  throw new TypeError('declare(): values.value must be a string, a finite number or a boolean, or a BigInt');
}

function count(v) {
  if (!isInteger(v) || v < 0) throw new TypeError('declare(): values.instances must be a count or [min, max]');
  return v;
}

function normValues(values) {
  const out = {};
  if (values === undefined || values === null) return out;
  if (typeof values !== 'object') throw new TypeError('declare(): values must be an object');
  for (const key in values) {
    const v = values[key];
    if (v === undefined || v === null) continue;
    if (key === 'value') {
      const pair = isArray(v) ? v : [v];
      if (pair.length > 2) throw new TypeError('declare(): values.value must be a value or [value, type]');
      if (pair[1] !== undefined && !XSD_TYPES.includes(pair[1])) throw new TypeError('declare(): unknown type "' + toStr(pair[1]) + '"');
      out.value = pair[1] === undefined ? [scalar(pair[0])] : [scalar(pair[0]), pair[1]];
    } else if (key === 'notification') {
      if (!isInteger(v) || v < 0 || v > 6) throw new TypeError('declare(): values.notification must be an integer from 0 to 6');
      out.notification = v;
    } else if (key === 'accessList') {
      if (!isArray(v) || v.some((x) => typeof x !== 'string')) throw new TypeError('declare(): values.accessList must be an array of strings');
      out.accessList = [...v];
    } else if (key === 'instances' || key === 'path') { // GenieACS names the instance count "path"
      if (isArray(v)) {
        if (v.length !== 2 || count(v[0]) > count(v[1])) throw new TypeError('declare(): values.instances [min, max] needs min <= max');
        out.instances = [v[0], v[1]];
      } else out.instances = count(v);
    } else throw new TypeError('declare(): unknown value "' + toStr(key) + '"');
  }
  return out;
}

function isSpecial(path) {
  return path === 'DeviceID' || path === 'Events' || path.startsWith('DeviceID.') || path.startsWith('Events.');
}

// ---------------------------------------------------------------- wire format (see wire.ts)
function encodeDeclarations(list, from) {
  const out = [];
  for (let i = from; i < list.length; i++) {
    const d = list[i], t = d.timestamps, v = d.values;
    out.push(
      d.path, t.path ?? null, t.object ?? null, t.writable ?? null, t.value ?? null, t.notification ?? null, t.accessList ?? null,
      v.value === undefined ? null : v.value[0], v.value === undefined ? null : v.value[1] ?? null,
      v.notification ?? null, v.accessList ?? null, v.instances ?? null,
    );
  }
  return out;
}

// ---------------------------------------------------------------- results of declare()
/**
 * Reading a result commits implicitly (GenieACS's rule): while declarations
 * are pending, the first read checks them as commit() does, and stops the run
 * if they are not met yet. A read therefore always sees the device as
 * declared so far. DeviceID.* and Events.* come from the session and commit
 * nothing. The view does not change during a run (a commit that is not met
 * ends it), so one lookup serves every read of a result.
 */
class Parameters {
  #path; #run; #special; #list = null;
  constructor(path, run, special) { this.#path = path; this.#run = run; this.#special = special; }
  #entries() {
    if (!active || state !== this.#run) throw new Error('declare() results can only be read while their run lasts');
    const st = enter();
    if (!this.#special) commitPending(st);
    if (this.#list !== null) return this.#list;
    const r = hostLookup(this.#path);
    if (typeof r !== 'string') {
      if (r.halt) { st.halt = { code: 'host', message: r.error }; throw STOP; }
      throw new TypeError(r.error);
    }
    return (this.#list = jsonParse(r));
  }
  get size() { return this.#entries().length; }
  get path() { return this.#first('path'); }
  get value() { return this.#first('value'); }
  get writable() { return this.#first('writable'); }
  get object() { return this.#first('object'); }
  get notification() { return this.#first('notification'); }
  get accessList() { return this.#first('accessList'); }
  #first(key) { const e = this.#entries()[0]; return e === undefined ? undefined : e[key]; }
  [Symbol.iterator]() { return this.#entries()[Symbol.iterator](); }
}

// ---------------------------------------------------------------- the script API
function declare(path, timestamps, values) {
  const st = enter();
  const p = checkPath('declare', path);
  const d = { path: p, timestamps: normTimestamps(timestamps), values: normValues(values) };
  const special = isSpecial(p);
  if (!special) {
    if (st.declarations.length >= LIMITS.declarations) halt(st, 'limit', 'more than ' + LIMITS.declarations + ' declarations');
    st.declarations.push(d);
    if (st.traces !== null) st.traces.push(callerStack());
  }
  return new Parameters(p, st, special);
}

/** Traced runs only: the stack of declare()'s caller (the host finds the script's frame in it). */
function callerStack() {
  const holder = {};
  captureStackTrace(holder, declare);
  return toStr(holder.stack);
}

function clear(path, timestamp) {
  const st = enter();
  const p = checkPath('clear', path);
  const t = timeOf('clear', 'timestamp', timestamp);
  if (isSpecial(p)) return;
  if (st.clears.length >= LIMITS.clears) halt(st, 'limit', 'more than ' + LIMITS.clears + ' clear() calls');
  st.clears.push({ path: p, timestamp: t });
}

function commit() {
  commitPending(enter());
}

/** Goes on when the declarations since the last commit are met (nothing to fetch or set); stops the run otherwise. */
function commitPending(st) {
  if (st.committed === st.declarations.length) return;
  const pending = encodeDeclarations(st.declarations, st.committed);
  st.committed = st.declarations.length;
  const met = hostSatisfied(pending);
  if (met === true) return;
  if (met !== false) { st.halt = { code: 'host', message: toStr(met && met.error) }; throw STOP; }
  st.stop = 'commit';
  throw STOP;
}

function describe(v) {
  if (typeof v === 'string') return v;
  try {
    const j = jsonStringify(v);
    if (j !== undefined) return j;
  } catch (e) { /* cyclic or BigInt: fall through */ }
  try { return toStr(v); } catch (e) { return '[unprintable]'; }
}

function log(...values) {
  const st = enter();
  if (st.logs.length >= LIMITS.logs) halt(st, 'limit', 'more than ' + LIMITS.logs + ' log lines');
  let text = values.map(describe).join(' ');
  if (text.length > LIMITS.logLength) text = text.slice(0, LIMITS.logLength) + '…';
  st.logs.push(text);
}

function ext(name, ...args) {
  const st = enter();
  if (typeof name !== 'string' || name === '') throw new TypeError('ext(): name must be a non-empty string');
  let key;
  try { key = jsonStringify([name, ...args]); } catch (e) { key = undefined; }
  if (key === undefined) throw new TypeError('ext(): arguments must be JSON data');
  const r = hostExt(key);
  if (r[0] === true) return r[1];
  st.stop = 'ext';
  st.pendingExt = { name, args: jsonParse(key).slice(1), key };
  throw STOP;
}

const consoleApi = { log, info: log, warn: log, error: log, debug: log };

// ---------------------------------------------------------------- the script's return value
/**
 * A copy of what the script returned, made of JSON data only (null, booleans,
 * finite numbers, strings, arrays, plain objects; undefined properties are
 * left out as JSON does), or a TypeError naming the first part that is not.
 */
function jsonCopy(v, where, seen) {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (!isFiniteNumber(v)) notJson(where, toStr(v));
    return v;
  }
  if (typeof v !== 'object') notJson(where, typeof v === 'undefined' ? 'undefined' : 'a ' + typeof v);
  if (seen.includes(v)) notJson(where, 'a cycle');
  seen.push(v);
  let out;
  if (isArray(v)) {
    out = [];
    for (let i = 0; i < v.length; i++) out.push(jsonCopy(v[i], where + '[' + i + ']', seen));
  } else {
    const proto = getPrototypeOf(v);
    if (proto !== ObjectPrototype && proto !== null) notJson(where, 'an object that is not a plain object');
    out = {};
    for (const k of objectKeys(v)) {
      const x = v[k];
      // defineProperty: a "__proto__" key stays a key, as JSON.parse makes it.
      if (x !== undefined) defineProperty(out, k, { value: jsonCopy(x, where + '.' + k, seen), writable: true, enumerable: true, configurable: true });
    }
  }
  seen.pop();
  return out;
}
function notJson(where, what) {
  throw new TypeError('the script returned a value that is not JSON data: ' + where + ' is ' + what);
}

function describeError(e) {
  try {
    if (e instanceof G.Error) {
      let stack = '';
      try { stack = typeof e.stack === 'string' ? e.stack : ''; } catch (x) { /* a throwing stack getter */ }
      return { name: toStr(e.name), message: toStr(e.message), stack };
    }
    return { name: '', message: 'threw ' + describe(e), stack: '' };
  } catch (x) {
    return { name: '', message: 'threw a value that cannot be described', stack: '' };
  }
}

// ---------------------------------------------------------------- lockdown
function enableOverride(obj, prop) {
  const d = getOwnPropertyDescriptor(obj, prop);
  if (d === undefined || !('value' in d) || !d.configurable) return;
  const value = d.value;
  defineProperty(obj, prop, {
    get() { return value; },
    set(v) {
      if (this === obj) throw new TypeError('Cannot assign to read only property ' + toStr(prop));
      if (apply(hasOwn, this, [prop])) this[prop] = v;
      else defineProperty(this, prop, { value: v, writable: true, enumerable: true, configurable: true });
    },
    enumerable: d.enumerable,
    configurable: false,
  });
}

function hiddenIntrinsics() {
  const list = [
    getPrototypeOf(G),
    getPrototypeOf(function* () {}),
    getPrototypeOf(async function () {}),
    getPrototypeOf(async function* () {}),
    getPrototypeOf([][Symbol.iterator]()),
    getPrototypeOf(new Map()[Symbol.iterator]()),
    getPrototypeOf(new Set()[Symbol.iterator]()),
    getPrototypeOf(''[Symbol.iterator]()),
    getPrototypeOf(/x/g[Symbol.matchAll]('')),
    getPrototypeOf(Int8Array),
  ];
  try {
    const segments = new Intl.Segmenter().segment('');
    list.push(getPrototypeOf(segments), getPrototypeOf(segments[Symbol.iterator]()));
  } catch (e) { /* no Intl.Segmenter in this build */ }
  return list;
}

function harden(roots) {
  const seen = new Set();
  const stack = [...roots];
  while (stack.length > 0) {
    const o = stack.pop();
    if (o === null || (typeof o !== 'object' && typeof o !== 'function') || o === G || seen.has(o)) continue;
    seen.add(o);
    freeze(o);
    stack.push(getPrototypeOf(o));
    const descriptors = getOwnPropertyDescriptors(o);
    for (const key of ownKeys(descriptors)) {
      const d = descriptors[key];
      if ('value' in d) stack.push(d.value);
      else stack.push(d.get, d.set);
    }
  }
}

// The script API as globals (GenieACS's): a script's own "let log", "const args"... shadows them.
// args reads the run's copy; with no setter, assigning to it is a TypeError (strict code).
let runArgs = null;
function getArgs() { return runArgs; }
G.console = consoleApi;
for (const [name, fn] of [['declare', declare], ['clear', clear], ['commit', commit], ['log', log], ['ext', ext]]) G[name] = fn;
defineProperty(G, 'args', { get: getArgs, enumerable: false, configurable: false });
const OVERRIDABLE = ['constructor', 'toString', 'valueOf', 'toLocaleString', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable'];
for (const prop of OVERRIDABLE) enableOverride(G.Object.prototype, prop);
for (const E of [G.Error, G.EvalError, G.RangeError, G.ReferenceError, G.SyntaxError, G.TypeError, G.URIError, G.AggregateError]) {
  for (const prop of ['name', 'message', 'constructor', 'toString']) enableOverride(E.prototype, prop);
}
for (const prop of ['constructor', 'toString']) enableOverride(G.Function.prototype, prop);
for (const prop of ['constructor', 'toString']) enableOverride(G.Array.prototype, prop);
enableOverride(G.Promise.prototype, 'constructor');

const globalValues = ownKeys(G).map((k) => G[k]);
harden([...globalValues, ...hiddenIntrinsics(), getArgs, Parameters, STOP]);
for (const key of ownKeys(G)) {
  const d = getOwnPropertyDescriptor(G, key);
  if (d.configurable || d.writable) defineProperty(G, key, 'value' in d ? { writable: false, configurable: false } : { configurable: false });
}
Object.preventExtensions(G);

// ---------------------------------------------------------------- host entry points
const scripts = new Map();

function register(id, fn) {
  if (typeof fn !== 'function') throw new TypeError('script wrapper is not a function');
  freeze(fn);
  if (fn.prototype !== undefined) freeze(fn.prototype);
  scripts.set(id, fn);
}

function forget(id) {
  scripts.delete(id);
}

/** Throws a SyntaxError unless the source is exactly one function body (no "})" breaking out of the wrapper). */
function checkBody(source) {
  new FunctionCtor(source);
}

// args is read-only (a fresh copy each run, frozen so a script's assignment to it is a TypeError at its line).
const NO_ARGS = freeze([]);
runArgs = NO_ARGS;
function deepFreeze(v) {
  if (typeof v === 'object' && v !== null) {
    for (const k of objectKeys(v)) deepFreeze(v[k]);
    freeze(v);
  }
  return v;
}

function run(id, now, seed, args, trace) {
  lastOutput = null;
  const fn = scripts.get(id);
  if (fn === undefined) throw new Error('no script registered as ' + id);
  nowMs = now;
  rngState = seed | 0;
  const st = {
    declarations: [], clears: [], logs: [], committed: 0, stop: null, pendingExt: null, halt: null, error: null,
    traces: trace === true ? [] : null, returned: null,
  };
  state = st;
  runArgs = args === null ? NO_ARGS : deepFreeze(args);
  active = true;
  try {
    const r = apply(fn, undefined, []);
    // A script that caught the stop and returned anyway: what it returned is not the answer.
    if (r !== undefined && st.stop === null && st.halt === null) st.returned = jsonStringify(jsonCopy(r, 'returned', []));
  } catch (e) {
    if (e !== STOP && st.stop === null && st.halt === null) st.error = describeError(e);
  } finally {
    active = false;
    state = null;
  }
  const h = st.halt, e = st.error;
  lastOutput = [
    encodeDeclarations(st.declarations, 0), st.clears, st.logs, st.stop, st.pendingExt,
    h === null ? null : h.code, h === null ? null : h.message,
    e === null ? null : e.name, e === null ? null : e.message, e === null ? null : e.stack,
    e === null ? st.returned : null, st.traces,
  ];
  return lastOutput;
}

/**
 * The output of the last run, once. isolated-vm runs pending promise jobs
 * after run() returns and turns an unhandled rejection into an exception of
 * the call: the host then fetches what the run had produced from here.
 */
let lastOutput = null;
function takeLast() {
  const out = lastOutput;
  lastOutput = null;
  return out;
}

/** The logs of a run cut short by its time limit (termination skips its finally blocks), and resets. */
function partial() {
  const logs = state === null ? [] : state.logs;
  state = null;
  active = false;
  return logs;
}

return { run, register, forget, checkBody, partial, takeLast };
`;
