/**
 * Maps positions in transpiled TypeScript back to the operator's file, from
 * the source map esbuild returns (version 3, one source). Only the
 * `mappings` field is decoded: base64 VLQ segments, ";" between lines.
 */
import type { LineMapper } from './types';

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Map([...BASE64].map((c, i) => [c, i]));

/** One mapping: generated column (0-based) → original line and column (0-based). */
interface Segment {
  column: number;
  line: number;
  originalColumn: number;
}

export class SourceMapLines implements LineMapper {
  /** Segments per generated line (0-based), sorted by column. */
  constructor(private readonly lines: readonly Segment[][]) {}

  static parse(json: string): SourceMapLines {
    const map = JSON.parse(json) as { mappings?: unknown };
    if (typeof map.mappings !== 'string') throw new Error('source map without mappings');
    return new SourceMapLines(decodeMappings(map.mappings));
  }

  /** 1-based in, 1-based out; the nearest mapping at or before the column on that line. */
  original(line: number, column: number): { line: number; column: number } | null {
    const segments = this.lines[line - 1];
    if (!segments || segments.length === 0) return null;
    let best = segments[0];
    for (const s of segments) {
      if (s.column > column - 1) break;
      best = s;
    }
    return { line: best.line + 1, column: best.originalColumn + 1 };
  }
}

function decodeMappings(mappings: string): Segment[][] {
  const lines: Segment[][] = [];
  // Source index, original line and column are deltas across the whole map; the column restarts per line.
  let line = 0, originalColumn = 0;
  for (const text of mappings.split(';')) {
    const segments: Segment[] = [];
    let column = 0;
    for (const part of text.split(',')) {
      if (part === '') continue;
      const fields = decodeVlq(part);
      column += fields[0];
      if (fields.length >= 4) {
        line += fields[2];
        originalColumn += fields[3];
        segments.push({ column, line, originalColumn });
      }
    }
    lines.push(segments);
  }
  return lines;
}

function decodeVlq(text: string): number[] {
  const out: number[] = [];
  let value = 0, shift = 0;
  for (const c of text) {
    const digit = DIGIT.get(c);
    if (digit === undefined) throw new Error(`bad base64 digit "${c}" in source map`);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      out.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return out;
}
