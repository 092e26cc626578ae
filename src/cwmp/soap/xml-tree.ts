/**
 * XML text -> a small namespace-aware element tree, on top of fast-xml-parser.
 *
 * fast-xml-parser (FXP) is not namespace-aware and its parser does not check
 * that closing tags match, so this module:
 *  - refuses DOCTYPE/ENTITY declarations before any parsing (SOAP 1.1 sec. 3
 *    forbids them; it also rules out XXE and entity-expansion bombs),
 *  - runs FXP's validator first for well-formedness (with line numbers),
 *  - parses with `preserveOrder` (the cheapest FXP output: no prettify pass),
 *  - decodes only the five XML entities and numeric character references,
 *  - resolves every element's prefix to its namespace URI, so callers match
 *    elements by local name + namespace and never by prefix.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** prefix -> namespace URI; '' is the default namespace. Inherits from the parent scope via the prototype chain. */
export type NsScope = Readonly<Record<string, string>>;

export interface XmlElement {
  /** Local name, e.g. "Inform" for <cwmp:Inform>. */
  readonly local: string;
  /** Prefix as written ('' when unprefixed). */
  readonly prefix: string;
  /** Namespace URI, '' when none (or when the prefix is undeclared). */
  readonly ns: string;
  /** Attributes by qualified name as written, e.g. "xsi:type". */
  readonly attrs: Readonly<Record<string, string>> | undefined;
  readonly scope: NsScope;
  readonly children: XmlElement[];
  /** Direct text content (text and CDATA), entity-decoded, not trimmed. */
  text: string;
}

export type ParseResult = { ok: true; root: XmlElement } | { ok: false; reason: string };

const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const ROOT_SCOPE: NsScope = Object.assign(Object.create(null) as Record<string, string>, { xml: XML_NS });

const NAMED_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const ENTITY_REF = /&(?:#(\d{1,7})|#x([0-9a-fA-F]{1,6})|(amp|lt|gt|quot|apos));/g;

/** XML 1.0 Char production: a numeric reference to anything else is not well-formed (XML 1.0 §4.1, WFC: Legal Character). */
function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

function replaceRef(_m: string, dec?: string, hex?: string, named?: string): string {
  if (named) return NAMED_ENTITIES[named];
  const cp = dec ? parseInt(dec, 10) : parseInt(hex as string, 16);
  // Dropping it would silently change the value the CPE sent: the message is refused instead.
  if (!isXmlChar(cp)) throw new Error(`character reference ${_m} is not an XML character`);
  return String.fromCodePoint(cp);
}

/**
 * FXP entity decoder: the five predefined entities and character references
 * only. Entities from a DOCTYPE are never registered (and DOCTYPE is refused
 * before parsing anyway); unknown references such as &nbsp; stay literal.
 */
const entityDecoder = {
  setExternalEntities(): void {},
  addInputEntities(): void {},
  reset(): void {},
  setXmlVersion(): void {},
  decode: (text: string): string => (text.indexOf('&') === -1 ? text : text.replace(ENTITY_REF, replaceRef)),
};

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  jPath: false,
  // CWMP nests 7 deep at most; FXP's limit (its default, stated here) stops nesting bombs.
  maxNestedTags: 100,
  entityDecoder,
});

type FxpNode = Record<string, unknown>;
const TEXT = '#text';
const ATTRS = ':@';
const DECLARATION = /<!\s*(?:DOCTYPE|ENTITY)/i;

/** Parses XML text into an element tree, or says in one line why it cannot. */
export function parseXml(xml: string): ParseResult {
  if (DECLARATION.test(xml)) return { ok: false, reason: 'DOCTYPE/ENTITY declarations are not allowed' };
  const valid = XMLValidator.validate(xml);
  if (valid !== true) return { ok: false, reason: validatorReason(valid.err) };
  let nodes: FxpNode[];
  try {
    nodes = parser.parse(xml) as FxpNode[];
  } catch (err) {
    return { ok: false, reason: `XML: ${(err as Error).message.split('\n')[0]}` };
  }
  const roots = nodes.filter((n) => tagOf(n) !== undefined);
  if (roots.length !== 1) return { ok: false, reason: `XML: ${roots.length} root elements` };
  return { ok: true, root: toElement(roots[0], ROOT_SCOPE) };
}

function validatorReason(err: { code: string; msg: string; line: number }): string {
  // FXP reports several unclosed tags as "Invalid '[ "a", "b"]' found." at line 1.
  const unclosed = /^Invalid '(\[.*\])' found\.$/.exec(err.msg);
  if (unclosed) {
    const tags = JSON.parse(unclosed[1]) as string[];
    const list = tags.length <= 6 ? tags.join(', ') : `${tags.slice(0, 3).join(', ')} ... (${tags.length} tags)`;
    return `XML: unclosed tags ${list} at end of document (truncated?)`;
  }
  return `XML: ${err.msg.replace(/\.$/, '')} at line ${err.line}`;
}

function tagOf(node: FxpNode): string | undefined {
  for (const key in node) if (key !== ATTRS && key !== TEXT) return key;
  return undefined;
}

function toElement(node: FxpNode, parentScope: NsScope): XmlElement {
  const qname = tagOf(node) as string;
  const attrs = node[ATTRS] as Record<string, string> | undefined;
  const scope = attrs ? withDeclarations(parentScope, attrs) : parentScope;
  const colon = qname.indexOf(':');
  const prefix = colon === -1 ? '' : qname.slice(0, colon);
  const el: XmlElement = {
    local: colon === -1 ? qname : qname.slice(colon + 1),
    prefix,
    ns: scope[prefix] ?? '',
    attrs,
    scope,
    children: [],
    text: '',
  };
  for (const kid of node[qname] as FxpNode[]) {
    const text = kid[TEXT];
    if (text !== undefined) el.text += text as string;
    else if (tagOf(kid) !== undefined) el.children.push(toElement(kid, scope));
  }
  return el;
}

function withDeclarations(parent: NsScope, attrs: Record<string, string>): NsScope {
  let scope: Record<string, string> | undefined;
  for (const name in attrs) {
    if (name !== 'xmlns' && !name.startsWith('xmlns:')) continue;
    scope ??= Object.create(parent) as Record<string, string>;
    scope[name === 'xmlns' ? '' : name.slice(6)] = attrs[name];
  }
  return scope ?? parent;
}

// ------------------------------------------------------------------ lookups

/** First child element with this local name (any namespace: CWMP children are unqualified, but some CPEs prefix them). */
export function childNamed(el: XmlElement, local: string): XmlElement | undefined {
  for (const c of el.children) if (c.local === local) return c;
  return undefined;
}

export function childrenNamed(el: XmlElement, local: string): XmlElement[] {
  return el.children.filter((c) => c.local === local);
}

/**
 * Attribute by namespace + local name, e.g. (XSI, 'type'). Falls back to any
 * prefixed attribute with that local name, for CPEs that forget to declare
 * the prefix.
 */
export function attrNS(el: XmlElement, ns: string, local: string): string | undefined {
  if (!el.attrs) return undefined;
  let loose: string | undefined;
  for (const name in el.attrs) {
    const colon = name.indexOf(':');
    if (colon === -1 || name.slice(colon + 1) !== local) continue;
    if (el.scope[name.slice(0, colon)] === ns) return el.attrs[name];
    loose ??= el.attrs[name];
  }
  return loose;
}

/** Local part of a QName value such as "xsd:string" -> "string". */
export function localPart(qname: string): string {
  const colon = qname.indexOf(':');
  return (colon === -1 ? qname : qname.slice(colon + 1)).trim();
}
