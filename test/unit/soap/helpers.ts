/**
 * Test helpers for the SOAP codec: capture reading, decode assertions and
 * hand-written envelopes for tolerance and error tests.
 *
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

export const SOAP_ENV = 'http://schemas.xmlsoap.org/soap/envelope/';
export const SOAP_ENC = 'http://schemas.xmlsoap.org/soap/encoding/';
const XSD = 'http://www.w3.org/2001/XMLSchema';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

export interface EnvelopeOptions {
  /** Prefix of the SOAP envelope namespace. */
  env?: string;
  ns?: string;
  /** Header entries (inner XML), or null for no Header element at all. */
  header?: string | null;
  declaration?: boolean;
}

/** A hand-written envelope around a Body entry, for tolerance and error tests. */
export function envelope(body: string, options: EnvelopeOptions = {}): string {
  const { env = 'soapenv', ns = 'urn:dslforum-org:cwmp-1-0', declaration = false } = options;
  const header = options.header === undefined ? `<cwmp:ID ${env}:mustUnderstand="1">id-1</cwmp:ID>` : options.header;
  return `${declaration ? '<?xml version="1.0" encoding="UTF-8"?>\n' : ''}<${env}:Envelope xmlns:${env}="${SOAP_ENV}" ` +
    `xmlns:soapenc="${SOAP_ENC}" xmlns:xsd="${XSD}" xmlns:xsi="${XSI}" xmlns:cwmp="${ns}">\n` +
    `${header === null ? '' : `<${env}:Header>${header}</${env}:Header>\n`}<${env}:Body>${body}</${env}:Body></${env}:Envelope>`;
}

/** An Inform with the given pieces replaced. */
export function informXml(parts: { deviceId?: string; event?: string; params?: string; retry?: string } = {}): string {
  const deviceId = parts.deviceId ??
    '<DeviceId><Manufacturer>ACME</Manufacturer><OUI>00259E</OUI><ProductClass>Box</ProductClass><SerialNumber>S1</SerialNumber></DeviceId>';
  const event = parts.event ?? '<Event soapenc:arrayType="cwmp:EventStruct[1]"><EventStruct><EventCode>2 PERIODIC</EventCode><CommandKey></CommandKey></EventStruct></Event>';
  const params = parts.params ?? '';
  return `<cwmp:Inform>${deviceId}${event}<MaxEnvelopes>1</MaxEnvelopes><CurrentTime>2026-01-01T00:00:00Z</CurrentTime>` +
    `<RetryCount>${parts.retry ?? '0'}</RetryCount><ParameterList soapenc:arrayType="cwmp:ParameterValueStruct[9]">${params}</ParameterList></cwmp:Inform>`;
}

/** One ParameterValueStruct; `type` is the whole attribute text (or '' for none). */
export function pvs(name: string, value: string, type = 'xsi:type="xsd:string"'): string {
  return `<ParameterValueStruct><Name>${name}</Name><Value ${type}>${value}</Value></ParameterValueStruct>`;
}

/** Decodes and asserts failure of the given kind. */
export function mustFail(xml: string, kind: 'malformed' | 'unknown-method' | 'invalid-arguments'): { reason: string; id?: string; namespace?: string } {
  const r = decode(xml);
  if (r.ok) assert.fail(`decode succeeded, expected ${kind}`);
  assert.equal(r.kind, kind, r.reason);
  return r;
}
