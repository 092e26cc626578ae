/**
 * The extension process (forked by host.ts; argv[2] is the absolute
 * extensions folder). Loads operator modules with require(), reloads one when
 * its file changed, calls it and answers over IPC. Everything an extension
 * can do wrong is answered as a fault, except blocking the event loop or
 * ending the process: the host handles those by replacing this process.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { clip, jsonProblem, type ChildMessage, type ExtFaultCode, type HostMessage } from './protocol';

const dir = process.argv[2];
const SUFFIXES = ['.js', '.cjs'];

interface Loaded {
  file: string;
  /** mtime, size and inode of the file when it was loaded. */
  version: string;
  exports: unknown;
  /** An ES module: Node caches those by URL, so a new version is imported under a new URL. */
  esm: boolean;
}

const loaded = new Map<string, Loaded>();

class Fault {
  constructor(
    readonly code: ExtFaultCode,
    readonly message: string,
    readonly stack?: string,
  ) {}
}

function send(message: ChildMessage): void {
  // A closed channel means the host is gone; 'disconnect' below ends the process.
  if (process.connected) process.send?.(message, undefined, undefined, () => undefined);
}

function errorText(e: unknown): { message: string; stack?: string } {
  if (e instanceof Error) return { message: e.message || e.name, stack: e.stack };
  try {
    return { message: typeof e === 'string' ? e : `${String(e)} (thrown value, not an Error)` };
  } catch {
    return { message: 'a value that cannot be shown (thrown value, not an Error)' };
  }
}

/** Forgets every module of the extensions folder (not its node_modules), so helper files reload too. */
function purgeRequireCache(): void {
  const roots = [dir];
  try {
    roots.push(fs.realpathSync(dir));
  } catch {
    // folder gone: nothing cached under its real path matters any more
  }
  const nodeModules = `${path.sep}node_modules${path.sep}`;
  for (const key of Object.keys(require.cache)) {
    const root = roots.find((r) => key.startsWith(r + path.sep));
    if (root !== undefined && !key.slice(root.length).includes(nodeModules)) delete require.cache[key];
  }
}

/** The module's exports, loaded again when its file changed (mtime, size or inode). */
async function load(module: string): Promise<unknown> {
  for (const suffix of SUFFIXES) {
    const file = path.join(dir, module + suffix);
    const st = fs.statSync(file, { throwIfNoEntry: false });
    if (!st?.isFile()) continue;
    const version = `${st.mtimeMs}-${st.size}-${st.ino}`;
    const cached = loaded.get(module);
    if (cached && cached.file === file && cached.version === version) return cached.exports;
    loaded.delete(module);
    let esm = cached?.file === file && cached.esm;
    let exports: unknown;
    try {
      if (!esm) {
        if (cached) purgeRequireCache();
        try {
          exports = require(file) as unknown;
          esm = isNamespace(exports);
        } catch (e) {
          const code = (e as { code?: unknown }).code;
          // An ES module with top-level await (or Node without require(esm)): import() it instead.
          if (code !== 'ERR_REQUIRE_ASYNC_MODULE' && code !== 'ERR_REQUIRE_ESM') throw e;
          esm = true;
        }
      }
      // A new URL per version: every version stays in memory (ES modules cannot be unloaded); edits are rare.
      if (esm && (exports === undefined || cached)) exports = await import(`${pathToFileURL(file).href}?v=${version}`);
    } catch (e) {
      // A failed require leaves no cache entry for the file itself; its helpers may stay half-initialised.
      purgeRequireCache();
      const { message, stack } = errorText(e);
      throw new Fault('ext.error', `extension module ${module}${suffix} failed to load: ${message}${where(file, stack)}`, stack);
    }
    loaded.set(module, { file, version, exports, esm });
    return exports;
  }
  loaded.delete(module);
  throw new Fault('ext.unknown', `no extension module '${module}' (looked for ${SUFFIXES.map((s) => module + s).join(' and ')} in ${dir})`);
}

function isNamespace(exports: unknown): boolean {
  return typeof exports === 'object' && exports !== null && (exports as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] === 'Module';
}

/** ` (at orders.js:12)` when the stack names a line of `file` (syntax errors and errors thrown at load). */
function where(file: string, stack: string | undefined): string {
  if (!stack) return '';
  for (const name of [file, pathToFileURL(file).href]) {
    const at = stack.indexOf(name);
    const line = at < 0 ? null : /^(?:\?v=[\d.-]+)?:(\d+)/.exec(stack.slice(at + name.length));
    if (line) return ` (at ${path.basename(file)}:${line[1]})`;
  }
  return '';
}

type Fn = (...args: unknown[]) => unknown;

function own(holder: unknown, key: string): unknown {
  if ((typeof holder !== 'object' && typeof holder !== 'function') || holder === null) return undefined;
  return Object.prototype.hasOwnProperty.call(holder, key) ? (holder as Record<string, unknown>)[key] : undefined;
}

function functionNames(exports: unknown): string[] {
  const names = new Set<string>();
  for (const holder of [exports, own(exports, 'default')]) {
    if ((typeof holder !== 'object' && typeof holder !== 'function') || holder === null) continue;
    for (const key of Object.keys(holder)) if (typeof own(holder, key) === 'function') names.add(key);
  }
  return [...names];
}

/**
 * The function to call, its `this` (the object it was found on), and whether
 * it is called as GenieACS calls extensions: `ext('module', 'fn', ...args)`
 * names a function the module exports (GenieACS's form) when its first
 * argument is a string naming one; otherwise a name without a function calls
 * the module's own (default) function with the arguments as they are.
 */
async function target(module: string, fn: string | null, first: unknown): Promise<{ fn: Fn; self: unknown; genieacs: boolean }> {
  const exports = await load(module);
  if (fn === null && typeof first === 'string') {
    const named = namedFunction(exports, first);
    if (named) return { ...named, genieacs: true };
  }
  const dflt = own(exports, 'default');
  if (fn === null) {
    if (typeof exports === 'function') return { fn: exports as Fn, self: undefined, genieacs: false };
    if (typeof dflt === 'function') return { fn: dflt as Fn, self: exports, genieacs: false };
    const names = functionNames(exports);
    throw new Fault(
      'ext.unknown',
      `extension module '${module}' exports no default function (module.exports = function ... or export default)` +
        (names.length ? `; call one of its functions: ${names.map((n) => `'${module}.${n}'`).join(', ')}` : ''),
    );
  }
  const named = namedFunction(exports, fn);
  if (named) return { ...named, genieacs: false };
  const names = functionNames(exports);
  throw new Fault(
    'ext.unknown',
    `extension module '${module}' has no function '${fn}'` + (names.length ? ` (its functions: ${names.join(', ')})` : ' (it exports no functions)'),
  );
}

/** An exported function of the module (or of its default export) named `fn`. */
function namedFunction(exports: unknown, fn: string): { fn: Fn; self: unknown } | null {
  for (const holder of [exports, own(exports, 'default')]) {
    const candidate = own(holder, fn);
    if (typeof candidate === 'function') return { fn: candidate as Fn, self: holder };
  }
  return null;
}

/**
 * A GenieACS extension: `fn(args, callback)` with the arguments as strings,
 * answered by `callback(error, result)`, or by the promise an async function
 * returns (a value other than undefined; a rejection is an error).
 */
function viaCallback(fn: Fn, self: unknown, args: string[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const callback = (error: unknown, result?: unknown): void => (error ? reject(error) : resolve(result));
    const returned = fn.call(self, args, callback);
    if (returned instanceof Promise) returned.then((v) => v !== undefined && resolve(v), reject);
  });
}

async function call(message: Extract<HostMessage, { t: 'call' }>): Promise<void> {
  let name = message.fn === null ? message.module : `${message.module}.${message.fn}`;
  try {
    const { fn, self, genieacs } = await target(message.module, message.fn, message.args[0]);
    if (genieacs) name = `${message.module}.${String(message.args[0])}`;
    let value: unknown;
    try {
      value = genieacs ? await viaCallback(fn, self, message.args.slice(1).map(String)) : await fn.apply(self, message.args);
    } catch (e) {
      const { message: text, stack } = errorText(e);
      throw new Fault('ext.error', text, stack);
    }
    if (value === undefined) value = null;
    const problem = jsonProblem(value, 'result');
    if (problem) throw new Fault('ext.error', `extension '${name}' returned something that is not JSON data: ${problem}`);
    send({ t: 'ok', id: message.id, value });
  } catch (e) {
    const fault = e instanceof Fault ? e : new Fault('ext.error', errorText(e).message, errorText(e).stack);
    send({ t: 'fault', id: message.id, code: fault.code, message: clip(fault.message), stack: fault.stack });
  }
}

function fatal(e: unknown): void {
  const { message, stack } = errorText(e);
  if (!process.connected) process.exit(70);
  process.send?.({ t: 'fatal', message: clip(message), stack } satisfies ChildMessage, undefined, undefined, () => process.exit(70));
}

if (!dir || !path.isAbsolute(dir) || typeof process.send !== 'function') {
  process.stderr.write('engine/ext/child: run by ExtensionHost only (fork with IPC and an absolute folder)\n');
  process.exit(64);
}

process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);
process.on('disconnect', () => process.exit(0));
process.on('message', (message: HostMessage) => {
  if (message.t === 'call') void call(message);
  else if (message.t === 'ping') send({ t: 'pong', id: message.id });
});
send({ t: 'ready' });
