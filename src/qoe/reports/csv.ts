/**
 * A report as CSV (RFC 4180): a header of the report's columns, then a line
 * per row, generated a block of lines at a time so a large report streams
 * to the client instead of being built as one string.
 */
import { Readable } from 'node:stream';
import type { Cell, Report } from './types';

const LINES_PER_CHUNK = 500;

/** A cell: numbers as JavaScript prints them, null empty, text quoted when it holds a comma, quote or line break. */
export function csvCell(v: Cell): string {
  if (v === null) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  // A leading =, +, - or @ would be a formula to a spreadsheet: quoted with a ' in front (OWASP's CSV injection advice).
  const text = /^[=+\-@]/.test(v) && !/^-?\d/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(text) || text !== v ? `"${text.replace(/"/g, '""')}"` : text;
}

export function* csvChunks(report: Pick<Report, 'columns' | 'rows'>): Generator<string> {
  yield `${report.columns.map(csvCell).join(',')}\r\n`;
  for (let i = 0; i < report.rows.length; i += LINES_PER_CHUNK) {
    let chunk = '';
    for (const row of report.rows.slice(i, i + LINES_PER_CHUNK)) chunk += `${report.columns.map((c) => csvCell(row[c] ?? null)).join(',')}\r\n`;
    yield chunk;
  }
}

export function csvStream(report: Pick<Report, 'columns' | 'rows'>): Readable {
  return Readable.from(csvChunks(report), { objectMode: false });
}

export function csvText(report: Pick<Report, 'columns' | 'rows'>): string {
  return [...csvChunks(report)].join('');
}
