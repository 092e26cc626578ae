/**
 * Line diff of two texts for the version history: the longest common
 * subsequence of lines, then the edit script. Scripts are small (a preset is
 * at most 256 KB); past MAX_CELLS the diff is "all removed, all added"
 * rather than a table that size.
 */

export type DiffOp = ' ' | '-' | '+';

export interface DiffLine {
  op: DiffOp;
  text: string;
  /** Line number in the old text (removed) or the new one (added, kept). */
  line: number;
}

const MAX_CELLS = 4_000_000;

function linesOf(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop(); // a final newline ends the last line; it is not one more
  return lines;
}

/** lengths[i][j]: the longest common subsequence of a[i..] and b[j..], kept in one flat array. */
function lcsTable(a: string[], b: string[]): Uint32Array {
  const w = b.length + 1;
  const t = new Uint32Array((a.length + 1) * w);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      t[i * w + j] = a[i] === b[j] ? t[(i + 1) * w + j + 1] + 1 : Math.max(t[(i + 1) * w + j], t[i * w + j + 1]);
    }
  }
  return t;
}

export function lineDiff(before: string, after: string): DiffLine[] {
  const a = linesOf(before);
  const b = linesOf(after);
  if (a.length * b.length > MAX_CELLS) {
    return [...a.map((text, i) => ({ op: '-' as const, text, line: i + 1 })), ...b.map((text, j) => ({ op: '+' as const, text, line: j + 1 }))];
  }
  const t = lcsTable(a, b);
  const w = b.length + 1;
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) out.push({ op: ' ', text: a[i++], line: ++j });
    else if (j < b.length && (i === a.length || t[i * w + j + 1] >= t[(i + 1) * w + j])) out.push({ op: '+', text: b[j], line: ++j });
    else out.push({ op: '-', text: a[i], line: ++i });
  }
  return out;
}
