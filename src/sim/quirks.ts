/**
 * Quirks of real CPEs, for the simulator to reproduce (see
 * ../shared/samples/SOURCES.md for the devices they come from).
 *
 * A quirk changes what a simulated CPE sends or how it behaves, never what it
 * means: every message a quirk rewrites still decodes, with our own decoder,
 * to the same CWMP content (tested per quirk in test/unit/sim-transport).
 * Two quirks change the content on purpose and say so: `no-header` drops the
 * SOAP Header (and with it cwmp:ID) and `cwmp-1-0` drops the 1.3/1.4 header
 * entries and switches the namespace.
 *
 * Three layers use them:
 *  - {@link applyQuirks}: text transforms of the SOAP envelope our encoder wrote;
 *  - {@link wireRequest}: HTTP headers and body bytes of one POST (charset, gzip, chunked empty POST);
 *  - behaviour, read by the transport: `no-cookie`, `version-cookie`;
 *  - answers, read by the CPE's RPC handling through {@link rpcOptionsOf}: `gpv-omits-missing`, `drops-url-query`,
 *    `spv-boolean-digits`, `spv-datetime-plain` (what a vendor profile, src/vendor, works around).
 */
import { gzipSync } from 'node:zlib';
import type { SetParameterValues } from '../cwmp/soap/types';
import type { RpcOptions } from './cpe/options';
import { attrByLocal, localOf, prefixOf, tokenize, writeTag, type XmlAttr, type XmlToken } from './transport/xml-tokens';

/** Every quirk, with what it does. */
export const QUIRKS = {
  'no-cookie': 'never returns cookies to the ACS (the session must be found by its connection)',
  'no-header': 'sends no SOAP Header at all, hence no cwmp:ID (MikroTik)',
  'soapenv-prefix': 'envelope prefix soapenv, encoding prefix soap (MikroTik, Thomson)',
  'soap_env-prefix': 'envelope prefix soap_env, encoding prefix soap_enc',
  'SOAP-ENV': 'envelope prefix SOAP-ENV, encoding prefix SOAP-ENC (gSOAP)',
  'single-quotes': "attributes and the XML declaration single-quoted (MikroTik)",
  'iso-8859-1': 'body in ISO-8859-1 with charset=ISO-8859-1 in Content-Type; other characters as references (Thomson)',
  'cwmp-1-0': 'namespace urn:dslforum-org:cwmp-1-0, no SupportedCWMPVersions or SessionTimeout header entries',
  'no-xml-decl': 'no <?xml ...?> declaration (Huawei HG8245H, MikroTik)',
  'padded-arraytype': 'soap-enc:arrayType sizes zero-padded to 4 digits, e.g. [0008] (Adtran; Thomson pads to 2)',
  pretty: 'pretty-printed: indentation, newlines around names and inside non-string values',
  'chunked-empty': 'the empty POST is sent as an empty chunked body (Thomson)',
  gzip: 'bodies sent with Content-Encoding: gzip',
  'version-cookie': 'cookies returned RFC 2965 style: $Version="0"; name=value; $Path=/ (Thomson)',
  'gpv-omits-missing': 'GetParameterValues leaves out names it does not know (an empty list) instead of fault 9005',
  'drops-url-query': 'Download URLs are cut at "?" before fetching (CPEs that cannot keep a query string, as issue 10 reports); only the RPC\'s Username/Password then open a protected file',
  'spv-boolean-digits': 'SetParameterValues takes an xsd:boolean only as 1 or 0: "true"/"false" get 9007 (booleans as 0/1, see SOURCES.md)',
  'spv-datetime-plain': 'SetParameterValues takes an xsd:dateTime only in whole seconds without a zone (2026-12-05T10:00:00): a fraction or a zone gets 9007 (ZTE F600W, Cisco femtocell report theirs so)',
} as const satisfies Record<string, string>;

export type Quirk = keyof typeof QUIRKS;
export type QuirkSet = ReadonlySet<Quirk>;

export const QUIRK_NAMES = Object.keys(QUIRKS) as readonly Quirk[];

/** Named devices: the quirks seen together in one real CPE's traffic. */
export const QUIRK_PROFILES: Readonly<Record<string, readonly Quirk[]>> = {
  thomson: ['soapenv-prefix', 'iso-8859-1', 'cwmp-1-0', 'padded-arraytype', 'version-cookie', 'chunked-empty'],
  mikrotik: ['soapenv-prefix', 'no-header', 'single-quotes', 'no-xml-decl', 'pretty', 'cwmp-1-0'],
  'huawei-hg8245h': ['no-xml-decl'],
  adtran: ['padded-arraytype'],
};

const NO_QUIRKS: QuirkSet = new Set();

const PREFIXES: Partial<Record<Quirk, { env: string; enc: string }>> = {
  'soapenv-prefix': { env: 'soapenv', enc: 'soap' },
  'soap_env-prefix': { env: 'soap_env', enc: 'soap_enc' },
  'SOAP-ENV': { env: 'SOAP-ENV', enc: 'SOAP-ENC' },
};

/** The prefixes src/cwmp/soap/encode.ts writes. */
const ENCODER_ENV = 'soap-env';
const ENCODER_ENC = 'soap-enc';

const byLowerName = new Map<string, Quirk>(QUIRK_NAMES.map((q) => [q.toLowerCase(), q]));

/**
 * Reads a comma-separated list (or an array) of quirk and profile names,
 * case-insensitively. Throws an Error naming an unknown name, or two quirks
 * that contradict each other (two envelope prefixes).
 */
export function parseQuirks(spec: string | readonly string[] | undefined): QuirkSet {
  const names = (typeof spec === 'string' ? spec.split(',') : spec ?? []).map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) return NO_QUIRKS;
  const out = new Set<Quirk>();
  for (const name of names) {
    const profile = QUIRK_PROFILES[name.toLowerCase()];
    const quirk = byLowerName.get(name.toLowerCase());
    if (profile) profile.forEach((q) => out.add(q));
    else if (quirk) out.add(quirk);
    else throw new Error(`unknown quirk "${name}" (quirks: ${QUIRK_NAMES.join(', ')}; profiles: ${Object.keys(QUIRK_PROFILES).join(', ')})`);
  }
  const prefixes = [...out].filter((q) => PREFIXES[q]);
  if (prefixes.length > 1) throw new Error(`quirks ${prefixes.join(' and ')} both set the envelope prefix; choose one`);
  return out;
}

/** The RPC-handling switches these quirks imply, over `base` (explicit options win). */
export function rpcOptionsOf(quirks: QuirkSet | undefined, base: RpcOptions = {}): RpcOptions {
  return {
    ...(quirks?.has('gpv-omits-missing') ? { gpvOmitsMissing: true } : {}),
    ...(quirks?.has('drops-url-query') ? { dropsUrlQuery: true } : {}),
    ...(quirks?.has('spv-boolean-digits') ? { booleanDigits: true } : {}),
    ...(quirks?.has('spv-datetime-plain') ? { plainDateTimes: true } : {}),
    ...base,
  };
}

/**
 * A SetParameterValues as the ACS wrote it: our decoder makes booleans
 * canonical ("1" becomes "true"), but a CPE with `spv-boolean-digits` must
 * judge the literal it was sent. The Value texts of `xml` are matched to the
 * decoded list by position (the decoder keeps the order); any other message
 * is returned as it is.
 */
export function withWireBooleans<T extends { method: string }>(body: T, xml: string): T {
  if (!isSpv(body) || !body.ParameterList.some((p) => p.type === 'xsd:boolean')) return body;
  const raw: string[] = [];
  const tokens = tokenize(xml);
  tokens.forEach((t, i) => {
    if (t.kind === 'open' && localOf(t.name) === 'Value') raw.push(tokens[i + 1]?.kind === 'text' ? (tokens[i + 1] as { raw: string }).raw.trim() : '');
  });
  if (raw.length !== body.ParameterList.length) return body;
  const list = body.ParameterList.map((p, i) => (p.type === 'xsd:boolean' && (raw[i] === '1' || raw[i] === '0') ? { ...p, Value: raw[i] } : p));
  return { ...body, ParameterList: list };
}

function isSpv(body: { method: string }): body is SetParameterValues & { method: string } {
  return body.method === 'SetParameterValues';
}

// ------------------------------------------------------------ text transforms

const TEXT_QUIRKS: readonly Quirk[] = [
  'no-header', 'soapenv-prefix', 'soap_env-prefix', 'SOAP-ENV', 'single-quotes', 'iso-8859-1', 'cwmp-1-0',
  'no-xml-decl', 'padded-arraytype', 'pretty',
];

interface Rewrite {
  readonly env: string;
  readonly enc: string;
  readonly noHeader: boolean;
  readonly cwmp10: boolean;
  readonly single: boolean;
  readonly latin1: boolean;
  readonly noDecl: boolean;
  readonly padArray: boolean;
  readonly pretty: boolean;
}

function rewriteOf(q: QuirkSet): Rewrite {
  const prefix = [...q].map((x) => PREFIXES[x]).find(Boolean) ?? { env: ENCODER_ENV, enc: ENCODER_ENC };
  return {
    ...prefix,
    noHeader: q.has('no-header'),
    cwmp10: q.has('cwmp-1-0'),
    single: q.has('single-quotes'),
    latin1: q.has('iso-8859-1'),
    noDecl: q.has('no-xml-decl'),
    padArray: q.has('padded-arraytype'),
    pretty: q.has('pretty'),
  };
}

/**
 * Rewrites one SOAP envelope as written by src/cwmp/soap/encode.ts (prefixes
 * soap-env/soap-enc) the way a CPE with these quirks would have written it.
 * Returns the input itself when no quirk touches the text.
 */
export function applyQuirks(xml: string, quirks: QuirkSet): string {
  if (!TEXT_QUIRKS.some((q) => quirks.has(q))) return xml;
  return new Rewriter(rewriteOf(quirks), tokenize(xml)).run();
}

const CWMP_NS = /^urn:dslforum-org:cwmp-1-\d+$/;
const CWMP_1_0 = 'urn:dslforum-org:cwmp-1-0';
/** Header entries a CWMP 1.0 CPE does not know. */
const NEWER_HEADERS = new Set(['SupportedCWMPVersions', 'SessionTimeout']);
/** Leaf elements whose decoder trims their text, so pretty-printing may pad them. */
const PADDABLE = new Set([
  'Name', 'ParameterName', 'MaxEnvelopes', 'RetryCount', 'CurrentTime', 'EventCode', 'Status', 'InstanceNumber',
  'FaultCode', 'Writable', 'Notification', 'StartTime', 'CompleteTime',
]);
const NOT_LATIN1 = /[^\x00-\xff]/gu;
const WS_ONLY = /^\s*$/;

interface Frame {
  readonly local: string;
  readonly pad: boolean;
  hasChildren: boolean;
}

type TagToken = Extract<XmlToken, { kind: 'open' | 'empty' }>;

/** One pass over the tokens; `skip` > 0 while inside an element being dropped. */
class Rewriter {
  private readonly out: string[] = [];
  private readonly stack: Frame[] = [];
  private skip = 0;

  constructor(
    private readonly r: Rewrite,
    private readonly tokens: XmlToken[],
  ) {}

  run(): string {
    for (let i = 0; i < this.tokens.length; i++) this.token(this.tokens[i], i);
    return this.out.join('');
  }

  private token(t: XmlToken, i: number): void {
    if (this.skip > 0) {
      if (t.kind === 'open') this.skip++;
      else if (t.kind === 'close') this.skip--;
      return;
    }
    if (t.kind === 'other') this.other(t.raw);
    else if (t.kind === 'text') this.text(t.raw, i);
    else if (t.kind === 'close') this.close(t.name);
    else this.tag(t);
  }

  private other(raw: string): void {
    if (!raw.startsWith('<?xml ') && !raw.startsWith('<?xml?')) return void this.out.push(raw);
    if (this.r.noDecl) return;
    let decl = raw;
    if (this.r.latin1) decl = decl.replace(/encoding\s*=\s*(["'])[^"']*\1/, 'encoding="ISO-8859-1"');
    if (this.r.single) decl = decl.replaceAll('"', "'");
    this.out.push(decl);
  }

  private text(raw: string, i: number): void {
    const prev = this.tokens[i - 1];
    const next = this.tokens[i + 1];
    const leaf = prev?.kind === 'open' && next?.kind === 'close';
    if (!leaf && WS_ONLY.test(raw) && (this.r.pretty || (this.r.noDecl && this.stack.length === 0))) return;
    const text = this.r.latin1 ? toLatin1Refs(raw) : raw;
    const frame = this.stack[this.stack.length - 1];
    if (this.r.pretty && leaf && frame?.pad) {
      const depth = this.stack.length;
      this.out.push(`\n${indent(depth)}${text}\n${indent(depth - 1)}`);
    } else this.out.push(text);
  }

  private close(name: string): void {
    const frame = this.stack.pop();
    if (this.r.pretty && frame?.hasChildren) this.out.push('\n' + indent(this.stack.length));
    this.out.push(`</${this.rename(name)}>`);
  }

  private tag(t: TagToken): void {
    if (this.dropped(t)) {
      if (t.kind === 'open') this.skip = 1;
      return;
    }
    const parent = this.stack[this.stack.length - 1];
    if (parent) parent.hasChildren = true;
    const rewritten: TagToken = { kind: t.kind, name: this.rename(t.name), attrs: t.attrs.map((a) => this.attr(a)) };
    if (this.r.pretty && this.out.length > 0) this.out.push('\n' + indent(this.stack.length));
    const separator = this.r.pretty && this.stack.length === 0 && t.attrs.length > 1 ? '\n ' : ' ';
    this.out.push(writeTag(rewritten, separator));
    if (t.kind === 'open') this.stack.push({ local: localOf(t.name), pad: this.paddable(t), hasChildren: false });
  }

  private dropped(t: TagToken): boolean {
    const local = localOf(t.name);
    if (this.r.noHeader && local === 'Header' && this.stack.length === 1) return true;
    const parent = this.stack[this.stack.length - 1];
    return this.r.cwmp10 && parent?.local === 'Header' && NEWER_HEADERS.has(local);
  }

  private paddable(t: TagToken): boolean {
    const local = localOf(t.name);
    if (local !== 'Value') return PADDABLE.has(local);
    const type = attrByLocal(t.attrs, 'type');
    return type !== undefined && localOf(type.value) !== 'string';
  }

  private attr(a: XmlAttr): XmlAttr {
    let { name, value } = a;
    if (name.startsWith('xmlns:')) {
      name = 'xmlns:' + this.renamePrefix(name.slice(6));
    } else if (name !== 'xmlns') {
      name = this.rename(name);
      value = this.rename(value);
    }
    if (this.r.cwmp10 && name.startsWith('xmlns') && CWMP_NS.test(value)) value = CWMP_1_0;
    if (this.r.padArray && localOf(name) === 'arrayType') value = value.replace(/\[(\d+)\]$/, (_m, n: string) => `[${n.padStart(4, '0')}]`);
    if (this.r.latin1) value = toLatin1Refs(value);
    return { name, value, quote: this.r.single ? "'" : a.quote };
  }

  /** A QName (element, attribute or QName-valued attribute) with the envelope prefixes swapped. */
  private rename(qname: string): string {
    const prefix = prefixOf(qname);
    if (prefix !== ENCODER_ENV && prefix !== ENCODER_ENC) return qname;
    return this.renamePrefix(prefix) + qname.slice(prefix.length);
  }

  private renamePrefix(prefix: string): string {
    if (prefix === ENCODER_ENV) return this.r.env;
    if (prefix === ENCODER_ENC) return this.r.enc;
    return prefix;
  }
}

function indent(depth: number): string {
  return ' '.repeat(depth);
}

/** Characters ISO-8859-1 cannot carry become character references (legal in text and attribute values). */
function toLatin1Refs(s: string): string {
  return s.replace(NOT_LATIN1, (ch) => `&#${ch.codePointAt(0)};`);
}

// ------------------------------------------------------------- HTTP request

/** The headers and bytes of one POST to the ACS. */
export interface WireRequest {
  headers: Record<string, string>;
  body: Buffer;
}

const EMPTY = Buffer.alloc(0);

/**
 * One POST as this CPE puts it on the wire (TR-069 §3.4.1): a message gets
 * Content-Type text/xml with its charset, an empty SOAPAction and its
 * Content-Length (gzip-compressed under `gzip`); the empty POST (`xml` null)
 * carries no Content-Type and no SOAPAction, only Content-Length: 0 or, under
 * `chunked-empty`, an empty chunked body. Text quirks are applied here too.
 */
export function wireRequest(xml: string | null, quirks: QuirkSet): WireRequest {
  if (xml === null) {
    return { headers: quirks.has('chunked-empty') ? { 'Transfer-Encoding': 'chunked' } : { 'Content-Length': '0' }, body: EMPTY };
  }
  const latin1 = quirks.has('iso-8859-1');
  let body = Buffer.from(applyQuirks(xml, quirks), latin1 ? 'latin1' : 'utf8');
  const headers: Record<string, string> = {
    'Content-Type': latin1 ? 'text/xml; charset=ISO-8859-1' : 'text/xml; charset="utf-8"',
    SOAPAction: '',
  };
  if (quirks.has('gzip')) {
    body = gzipSync(body);
    headers['Content-Encoding'] = 'gzip';
  }
  headers['Content-Length'] = String(body.length);
  return { headers, body };
}
