/**
 * Turning what went wrong in a run into a {@link ScriptFault}: where in the
 * operator's file (first stack frame in the script, mapped back through the
 * TypeScript source map), and which kind.
 */
import type { LineMapper, ScriptFault, ScriptFaultCode } from './types';
import { findUnclosed, lineCount } from './unclosed';

/**
 * Scripts run as strict function bodies with no parameters (the API is
 * global, see runtime-source.ts). The script's first line is the wrapper's
 * second, which compiling with lineOffset -1 numbers 1.
 */
export const WRAPPER_PREFIX = "(function () { 'use strict';\n";
export const WRAPPER_SUFFIX = '\n})';

export interface Position {
  line: number;
  column: number;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The first frame of `stack` in file `filename` ("at f (name:3:7)" or "at name:3:7"). */
export function positionInStack(stack: string, filename: string): Position | null {
  const frame = new RegExp(`${escapeRegExp(filename)}:(\\d+):(\\d+)\\)?$`);
  for (const line of stack.split('\n')) {
    const m = frame.exec(line.trim());
    if (m) return { line: Number(m[1]), column: Number(m[2]) };
  }
  return null;
}

/** isolated-vm appends "[file:line:col]" to the message of a compile error. */
export function positionInCompileError(message: string, filename: string): { message: string; position: Position | null } {
  const m = new RegExp(` \\[${escapeRegExp(filename)}:(\\d+):(\\d+)\\]$`).exec(message);
  if (!m) return { message, position: null };
  return { message: message.slice(0, m.index), position: { line: Number(m[1]), column: Number(m[2]) } };
}

/**
 * Where a compile error really is. A "}" that closes nothing ends the
 * wrapper early (V8 then complains about the next line); an error past the
 * end of the operator's file (the wrapper's closing line, or the end of
 * input) means something was left open: name it at its own line.
 */
export function locateSyntaxError(source: string, message: string, position: Position | null): { message: string; position: Position | null } {
  const lines = lineCount(source);
  const beyond = position !== null && position.line > lines;
  const scan = findUnclosed(source);
  if (scan?.extra && (position === null || beyond || before(scan, position))) return { message: `"${scan.opener}" closes nothing`, position: scan };
  if (!beyond) return { message, position };
  if (scan === null || scan.extra) return { message: `${message} (at the end of the script)`, position: { line: Math.max(1, lines), column: 1 } };
  const what = scan.opener === '`' ? 'template literal' : scan.opener === '/*' ? 'comment' : `"${scan.opener}"`;
  return { message: `${what} is never closed`, position: { line: scan.line, column: scan.column } };
}

function before(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.column <= b.column);
}

/** Builds a fault, mapping a position in the compiled script to the operator's file. */
export function makeFault(
  code: ScriptFaultCode,
  script: { name: string; lineMap?: LineMapper },
  message: string,
  position: Position | null = null,
): ScriptFault {
  const fault: ScriptFault = { code, script: script.name, message };
  const where = originalPosition(script, position);
  if (where) {
    fault.line = where.line;
    fault.column = where.column;
  }
  return fault;
}

/** A position in the compiled script as a position in the operator's file (through the TypeScript line map); null if unknown. */
export function originalPosition(script: { lineMap?: LineMapper }, position: Position | null): Position | null {
  const where = position && script.lineMap ? script.lineMap.original(position.line, position.column) : position;
  return where && where.line >= 1 ? where : null;
}
