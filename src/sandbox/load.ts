/**
 * Loading provisions: every `*.js` and `*.ts` file of a directory (not
 * `*.d.ts`, not subdirectories) becomes a {@link LoadedScript}, named by its
 * file name without the extension (what presets refer to).
 *
 * TypeScript is transpiled with esbuild (types erased, nothing bundled, no
 * module wrapper) and keeps a line map back to the .ts file. A lone
 * `export {};` (what makes an editor treat the file as a module) is dropped;
 * any other import or export is a syntax fault, scripts being function
 * bodies. Syntax errors come back as faults located in the operator's file:
 * esbuild's location for TypeScript, V8's for what esbuild let through and
 * for JavaScript (compiled in a throwaway isolate, never run).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { transformSync, type TransformFailure } from 'esbuild';
import ivm from 'isolated-vm';
import { makeFault, locateSyntaxError } from './script-faults';
import { compileWrapped, notABody } from './isolate';
import { SourceMapLines } from './source-map';
import type { ScriptFault, ScriptSource } from './types';

export interface LoadedScript extends ScriptSource {
  /** The provision's name: the file name without .js/.ts. */
  id: string;
  /** Path of the file. `fault` is set when the script cannot run (`source` may then be empty). */
  file: string;
}

export interface LoadOptions {
  /** Compile each script in a throwaway isolate to report syntax errors now (default true). */
  check?: boolean;
  /** Largest file accepted, bytes (default 1 MiB). */
  maxBytes?: number;
}

const EXTENSIONS = ['.ts', '.js'];

export async function loadProvisions(dir: string, options: LoadOptions = {}): Promise<LoadedScript[]> {
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isFile() && EXTENSIONS.includes(path.extname(e.name)) && !e.name.endsWith('.d.ts'))
    .map((e) => e.name)
    .sort();
  const scripts: LoadedScript[] = [];
  const byId = new Map<string, LoadedScript>();
  for (const name of names) {
    const file = path.join(dir, name);
    const text = await readFile(file, 'utf8');
    const script = scriptFromText(name, text, file, options.maxBytes ?? 1024 * 1024);
    const twin = byId.get(script.id);
    if (twin) script.fault = makeFault('script.syntax', script, `${twin.name} and ${name} both define provision "${script.id}"`);
    byId.set(script.id, script);
    scripts.push(script);
  }
  if (options.check ?? true) await checkSyntax(scripts.filter((s) => !s.fault));
  return scripts;
}

/** One script from its text: transpiled if TypeScript; a syntax fault if esbuild rejects it. */
export function scriptFromText(name: string, text: string, file = name, maxBytes = 1024 * 1024): LoadedScript {
  const id = name.replace(/\.(ts|js)$/, '');
  const base: LoadedScript = { id, name, file, source: '' };
  if (Buffer.byteLength(text) > maxBytes) return { ...base, fault: makeFault('script.limit', base, `larger than ${maxBytes} bytes`) };
  if (!name.endsWith('.ts')) return { ...base, source: text };
  try {
    const out = transformSync(text, { loader: 'ts', sourcefile: name, sourcemap: 'external', sourcesContent: false, target: 'es2022' });
    // Keep the line, so the map stays right.
    const source = out.code.replace(/^export\s*\{\s*\};?[ \t]*$/m, '');
    return { ...base, source, lineMap: SourceMapLines.parse(out.map) };
  } catch (error) {
    return { ...base, fault: esbuildFault(base, text, error) };
  }
}

function esbuildFault(script: LoadedScript, text: string, error: unknown): ScriptFault {
  const first = (error as Partial<TransformFailure>).errors?.[0];
  if (!first) return makeFault('script.syntax', script, error instanceof Error ? error.message : String(error));
  // esbuild counts columns from 0; its end of file may be the line after the last.
  const at = first.location ? { line: first.location.line, column: first.location.column + 1 } : null;
  const { message, position } = locateSyntaxError(text, first.text, at);
  // Positions here are already in the .ts file: no line map.
  return makeFault('script.syntax', { name: script.name }, message, position);
}

/**
 * Compiles each script as the pool would (wrapped, strict) in a throwaway
 * isolate, and sets `fault` on those that do not compile. Nothing runs.
 */
export async function checkSyntax(scripts: LoadedScript[]): Promise<void> {
  if (scripts.length === 0) return;
  const isolate = new ivm.Isolate({ memoryLimit: 64 });
  try {
    const context = await isolate.createContext();
    for (const script of scripts) {
      const compiled = await compileWrapped(isolate, script);
      if ('fault' in compiled) {
        script.fault = compiled.fault;
        continue;
      }
      compiled.script.release();
      try {
        // Parsing only: the Function constructor builds the function without calling it.
        await context.evalClosure(
          "new Function($0); return undefined;",
          [script.source],
          { arguments: { copy: true }, timeout: 5_000 },
        );
      } catch (error) {
        script.fault = notABody(script, error);
      }
    }
  } finally {
    isolate.dispose();
  }
}
