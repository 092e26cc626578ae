/**
 * Turning what went wrong in a run into a {@link ScriptFault}: where in the
 * operator's file (first stack frame in the script, mapped back through the
 * TypeScript source map), and which kind.
 */
import type { LineMapper, ScriptFault, ScriptFaultCode } from './types';

/**
 * Scripts run as strict function bodies. The script's first line is the
 * wrapper's second, which compiling with lineOffset -1 numbers 1.
 */
export const WRAPPER_PREFIX = "(function (declare, clear, commit, log, ext, args) { 'use strict';\n";
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
