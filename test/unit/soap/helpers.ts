/**
 * Reading the real CPE captures in ../shared/samples/captured-real (never
 * copied into the project). *.http files hold a raw request: the headers are
 * cut at the first blank line. The charset comes from Content-Type or the
 * XML declaration: ISO-8859-1 is read as latin1, anything else as UTF-8.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { decode } from '../../../src/cwmp/soap/decode';
import type { CwmpEnvelope, CwmpMessage, CwmpMethod } from '../../../src/cwmp/soap/types';

export const CAPTURES = resolve(__dirname, '../../../../shared/samples/captured-real');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]));
}

/** Every capture file, as a path relative to CAPTURES, sorted. */
export function listCaptures(): string[] {
  return walk(CAPTURES).map((f) => relative(CAPTURES, f)).sort();
}

const LATIN1 = /(?:charset|encoding)\s*=\s*["']?(?:ISO-8859-1|latin-?1)\b/i;

/** The SOAP text of a capture, decoded with the charset it declares. */
export function readCapture(name: string): string {
  const bytes = readFileSync(join(CAPTURES, name));
  const head = bytes.subarray(0, 1024).toString('latin1');
  const text = bytes.toString(LATIN1.test(head) ? 'latin1' : 'utf8');
  if (!name.endsWith('.http')) return text;
  const blank = /\r?\n\r?\n/.exec(text);
  assert.ok(blank, `${name}: no blank line after the HTTP headers`);
  return text.slice(blank.index + blank[0].length);
}

export interface Decoded<M extends CwmpMessage> {
  envelope: CwmpEnvelope<M>;
  warnings: string[];
}

/** Decodes and asserts success and the method. */
export function mustDecode<K extends CwmpMethod>(xml: string, method: K): Decoded<Extract<CwmpMessage, { method: K }>> {
  const r = decode(xml);
  if (!r.ok) assert.fail(`decode failed (${r.kind}): ${r.reason}`);
  assert.equal(r.envelope.body.method, method);
  return r as unknown as Decoded<Extract<CwmpMessage, { method: K }>>;
}
