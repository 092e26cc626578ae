/**
 * A flat tokenizer for the XML our encoder writes, so that quirks can rewrite
 * tags (prefixes, quotes, attribute values) without a parse/serialise round
 * trip: text outside tags is handed through untouched, byte for byte.
 *
 * It is no validating parser. It recognises the XML declaration, processing
 * instructions, comments, CDATA sections, start/end/empty-element tags (with
 * quoted attribute values that may contain '>') and text; anything else ends
 * up in a text token and reaches the decoder unchanged.
 */

export interface XmlAttr {
  /** Qualified name as written, e.g. "xsi:type". */
  name: string;
  /** The raw (still escaped) value, without its quotes. */
  value: string;
  quote: '"' | "'";
}

export type XmlToken =
  | { kind: 'text'; raw: string }
  /** Declaration, processing instruction, comment or CDATA section, kept verbatim. */
  | { kind: 'other'; raw: string }
  | { kind: 'open' | 'empty'; name: string; attrs: XmlAttr[] }
  | { kind: 'close'; name: string };

/** The rest of a tag: runs of plain characters or quoted values, then '>'. test() + lastIndex allocate nothing. */
const TAG_END = /(?:[^<>"']+|"[^"]*"|'[^']*')*>/y;
const DQUOTE = 34;
const SQUOTE = 39;
const SLASH = 47;

/** Splits XML text into tokens; an unterminated construct at the end becomes text. */
export function tokenize(xml: string): XmlToken[] {
  const out: XmlToken[] = [];
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    if (lt < 0) {
      out.push({ kind: 'text', raw: xml.slice(i) });
      break;
    }
    if (lt > i) out.push({ kind: 'text', raw: xml.slice(i, lt) });
    const end = markupEnd(xml, lt);
    if (end < 0) {
      out.push({ kind: 'text', raw: xml.slice(lt) });
      break;
    }
    const raw = xml.slice(lt, end);
    out.push(xml.charCodeAt(lt + 1) === 63 || xml.charCodeAt(lt + 1) === 33 ? { kind: 'other', raw } : classify(raw));
    i = end;
  }
  return out;
}

/** The index just past the markup starting at `lt` ("<"), or -1 if it does not end. */
function markupEnd(xml: string, lt: number): number {
  const closer = xml.startsWith('<!--', lt) ? '-->' : xml.startsWith('<![CDATA[', lt) ? ']]>' : xml.startsWith('<?', lt) ? '?>' : null;
  if (closer) {
    const at = xml.indexOf(closer, lt + 2);
    return at < 0 ? -1 : at + closer.length;
  }
  TAG_END.lastIndex = lt + 1;
  return TAG_END.test(xml) ? TAG_END.lastIndex : -1;
}

/** A tag's name and attributes, by hand: a regex with captures costs more than the whole scan. */
function classify(raw: string): XmlToken {
  if (raw.charCodeAt(1) === SLASH) return { kind: 'close', name: raw.slice(2, -1).trim() };
  const empty = raw.charCodeAt(raw.length - 2) === SLASH;
  const end = raw.length - (empty ? 2 : 1);
  let j = 1;
  while (j < end && !isSpace(raw.charCodeAt(j))) j++;
  const attrs = j < end ? readAttrs(raw, j, end) : [];
  if (!attrs || j === 1) return { kind: 'text', raw };
  return { kind: empty ? 'empty' : 'open', name: raw.slice(1, j), attrs };
}

/** `name="v" name2='v2'` between `from` and `end`; null when it is not that. */
function readAttrs(raw: string, from: number, end: number): XmlAttr[] | null {
  const attrs: XmlAttr[] = [];
  let j = from;
  for (;;) {
    while (j < end && isSpace(raw.charCodeAt(j))) j++;
    if (j >= end) return attrs;
    const eq = raw.indexOf('=', j);
    if (eq < 0 || eq >= end) return null;
    const name = raw.slice(j, eq).trim();
    j = eq + 1;
    while (j < end && isSpace(raw.charCodeAt(j))) j++;
    const q = raw.charCodeAt(j);
    if (q !== DQUOTE && q !== SQUOTE) return null;
    const close = raw.indexOf(q === DQUOTE ? '"' : "'", j + 1);
    if (close < 0 || close >= end || !name) return null;
    attrs.push({ name, value: raw.slice(j + 1, close), quote: q === DQUOTE ? '"' : "'" });
    j = close + 1;
  }
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** Writes a value in the given quotes, escaping that quote character if the value holds it. */
function quoted(value: string, quote: '"' | "'"): string {
  if (!value.includes(quote)) return quote + value + quote;
  return quote + value.replaceAll(quote, quote === '"' ? '&quot;' : '&apos;') + quote;
}

/** A start or empty-element tag; `attrSeparator` lets pretty-printers put attributes on their own lines. */
export function writeTag(t: Extract<XmlToken, { kind: 'open' | 'empty' }>, attrSeparator = ' '): string {
  let s = '<' + t.name;
  for (const a of t.attrs) s += attrSeparator + a.name + '=' + quoted(a.value, a.quote);
  return s + (t.kind === 'empty' ? '/>' : '>');
}

export function writeToken(t: XmlToken): string {
  switch (t.kind) {
    case 'text':
    case 'other':
      return t.raw;
    case 'close':
      return `</${t.name}>`;
    default:
      return writeTag(t);
  }
}

/** "soap-env:Body" -> "soap-env"; "" when unprefixed. */
export function prefixOf(qname: string): string {
  const colon = qname.indexOf(':');
  return colon === -1 ? '' : qname.slice(0, colon);
}

/** "soap-env:Body" -> "Body". */
export function localOf(qname: string): string {
  return qname.slice(qname.indexOf(':') + 1);
}

/** Attribute by local name (any prefix), e.g. "type" for xsi:type. */
export function attrByLocal(attrs: readonly XmlAttr[], local: string): XmlAttr | undefined {
  return attrs.find((a) => localOf(a.name) === local && a.name !== 'xmlns');
}
