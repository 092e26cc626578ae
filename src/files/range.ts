/**
 * Single byte ranges (RFC 9110 §14.2), for CPEs resuming a firmware
 * download. Several ranges in one request are answered with the whole file,
 * which the RFC allows.
 */
import type { ByteRange } from './types';

/** The range to send, 'unsatisfiable' (416), or null: send everything. */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | null {
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header ?? '');
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    // "bytes=-N": the last N bytes.
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return null; // Invalid range: ignored, per the RFC.
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}
