/**
 * CWMP SOAP header elements (TR-069 A.4.2; cwmp-1-0..1-4.xsd), with the
 * mustUnderstand value each must carry: ID 1, HoldRequests 1,
 * SessionTimeout 0 (1.3), SupportedCWMPVersions 0 (1.4), UseCWMPVersion 1
 * (1.4). NoMoreRequests (Issue 1) is in no XSD: read and kept, ignored by
 * the session logic. Unknown header entries are ignored (with a warning
 * when they demand mustUnderstand="1").
 */
import { bool, strUpTo, trimmed, uint, type Ctx, type ElementCodec } from './codec';
import { isCwmpNamespace, SOAP_ENV_NS } from './namespaces';
import type { CwmpHeader } from './types';
import { stripLayout } from './values';
import { escapeXml } from './xml';
import { attrNS, childNamed, type XmlElement } from './xml-tree';

interface HeaderField<T> {
  readonly codec: ElementCodec<T>;
  readonly mustUnderstand: '0' | '1';
  readonly format: (value: T) => string;
}

const bit = (b: boolean): string => (b ? '1' : '0');

/**
 * The XSD sets no length for cwmp:ID, but every reply echoes it: a longer one
 * is refused (fault 8003, without the ID) rather than sent back. Real CPEs
 * use a counter or a UUID; 256 is also TR-069's longest name.
 */
export const MAX_ID_LENGTH = 256;

/** In the order they are written. */
const FIELDS: { readonly [K in keyof CwmpHeader]-?: HeaderField<NonNullable<CwmpHeader[K]>> } = {
  ID: { codec: strUpTo(MAX_ID_LENGTH), mustUnderstand: '1', format: String },
  HoldRequests: { codec: bool, mustUnderstand: '1', format: bit },
  SessionTimeout: { codec: uint, mustUnderstand: '0', format: String },
  SupportedCWMPVersions: { codec: trimmed, mustUnderstand: '0', format: String },
  UseCWMPVersion: { codec: trimmed, mustUnderstand: '1', format: String },
  NoMoreRequests: { codec: bool, mustUnderstand: '0', format: bit },
};

const FIELD_NAMES = new Set<string>(Object.keys(FIELDS));

function isCwmpHeaderEntry(el: XmlElement): el is XmlElement & { local: keyof CwmpHeader } {
  return FIELD_NAMES.has(el.local) && (el.ns === '' || isCwmpNamespace(el.ns));
}

/** The cwmp:ID alone, read before anything can fail so that a fault can echo it (never one over the limit). */
export function readId(header: XmlElement | undefined): string | undefined {
  const el = header && childNamed(header, 'ID');
  const id = el && isCwmpHeaderEntry(el) ? stripLayout(el.text) : undefined;
  return id !== undefined && id.length <= MAX_ID_LENGTH ? id : undefined;
}

/** Reads every known header entry; throws InvalidArguments ("Header: HoldRequests is not a boolean ('x')"). */
export function readHeader(header: XmlElement | undefined, ctx: Ctx): CwmpHeader {
  const out: Record<string, unknown> = {};
  for (const el of header?.children ?? []) {
    if (!isCwmpHeaderEntry(el)) {
      if (attrNS(el, SOAP_ENV_NS, 'mustUnderstand') === '1') ctx.warn(`entry ${el.local} (mustUnderstand) ignored`);
    } else if (!(el.local in out)) {
      out[el.local] = (FIELDS[el.local].codec as ElementCodec<unknown>).readEl(el, ctx.at(el.local));
    }
  }
  return out as CwmpHeader;
}

/** The <soap-env:Header> element, or '' when no header field is set. */
export function writeHeader(header: CwmpHeader): string {
  let xml = '';
  for (const key of Object.keys(FIELDS) as (keyof CwmpHeader)[]) {
    const value = header[key];
    if (value === undefined) continue;
    const field = FIELDS[key] as HeaderField<typeof value>;
    xml += `<cwmp:${key} soap-env:mustUnderstand="${field.mustUnderstand}">${escapeXml(field.format(value))}</cwmp:${key}>`;
  }
  return xml && `<soap-env:Header>${xml}</soap-env:Header>`;
}
