/**
 * CWMP SOAP 1.1 envelope -> typed message (TR-069 A.2-A.5).
 *
 * Lenient in what it accepts (see the tests in test/unit/soap for each real
 * CPE quirk), never lenient about safety: DOCTYPE/ENTITY is refused before
 * parsing and only the five XML entities and character references are
 * decoded. Protocol problems come back as values, never as exceptions:
 *  - malformed:          not XML, not a SOAP 1.1 Envelope, not one Header at most and one Body,
 *                        or not one Body entry -> HTTP 400
 *  - unknown-method:     a Body entry that is no CWMP method of ours -> fault 8000 / 9000
 *  - invalid-arguments:  a known method with a missing or unreadable argument (or header) -> fault 8003 / 9003
 * `id` (the cwmp:ID) and `namespace` come back whenever they could be read,
 * so that the fault can echo the ID in the peer's own namespace; `method`
 * names the known method whose arguments were bad, so that a response the
 * CPE got wrong can fail the request it answers.
 */
import { Ctx, InvalidArguments } from './codec';
import { readHeader, readId } from './header';
import { codecFor, type MethodCodec } from './methods';
import { isCwmpNamespace, SOAP_ENV_NS } from './namespaces';
import type { CwmpEnvelope, CwmpMessage } from './types';
import { childNamed, parseXml, type XmlElement } from './xml-tree';

export type DecodeFailureKind = 'malformed' | 'unknown-method' | 'invalid-arguments';
export type DecodeFailure = { ok: false; kind: DecodeFailureKind; reason: string; id?: string; namespace?: string; method?: string };
export type DecodeResult = { ok: true; envelope: CwmpEnvelope; warnings: string[] } | DecodeFailure;

/** Used when nothing in the message names a cwmp namespace (e.g. an unqualified RPC). */
const FALLBACK_NAMESPACE = 'urn:dslforum-org:cwmp-1-0';

interface Parts {
  readonly header: XmlElement | undefined;
  readonly entry: XmlElement;
  readonly id: string | undefined;
}

interface Method {
  readonly codec: MethodCodec<CwmpMessage>;
  readonly namespace: string;
}

/** Decodes one CWMP message (the HTTP layer handles empty POSTs before calling this). */
export function decode(xml: string): DecodeResult {
  if (!/\S/.test(xml)) return failure('malformed', 'empty body');
  const parsed = parseXml(xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml);
  if (!parsed.ok) return failure('malformed', parsed.reason);
  const parts = envelopeParts(parsed.root);
  if ('ok' in parts) return parts;
  const warnings: string[] = [];
  const method = resolveMethod(parts, warnings);
  return 'ok' in method ? method : decodeMethod(parts, method, warnings);
}

function failure(kind: DecodeFailureKind, reason: string, id?: string, namespace?: string): DecodeFailure {
  const f: DecodeFailure = { ok: false, kind, reason };
  if (id !== undefined) f.id = id;
  if (namespace !== undefined) f.namespace = namespace;
  return f;
}

function describe(el: XmlElement): string {
  return el.ns ? `{${el.ns}}${el.local}` : el.local;
}

function soapChildren(parent: XmlElement, local: string): XmlElement[] {
  return parent.children.filter((c) => c.local === local && c.ns === SOAP_ENV_NS);
}

function envelopeParts(root: XmlElement): Parts | DecodeFailure {
  if (root.local !== 'Envelope' || root.ns !== SOAP_ENV_NS) {
    return failure('malformed', `not a SOAP 1.1 Envelope: the root element is ${describe(root)}`);
  }
  const headers = soapChildren(root, 'Header');
  const bodies = soapChildren(root, 'Body');
  // SOAP 1.1 sec. 4: at most one Header and exactly one Body; which of two would be the message is anyone's guess.
  if (headers.length > 1) return failure('malformed', `Envelope has ${headers.length} Header elements; SOAP allows one`);
  if (bodies.length > 1) return failure('malformed', `Envelope has ${bodies.length} Body elements; SOAP allows one`);
  const [header] = headers;
  const id = readId(header);
  const [body] = bodies;
  if (!body) return failure('malformed', 'Envelope has no Body', id);
  const n = body.children.length;
  if (n !== 1) return failure('malformed', `Body has ${n} entries; CWMP needs exactly one`, id);
  return { header, entry: body.children[0], id };
}

/** The namespace of any cwmp-qualified header entry, for messages whose Body does not tell. */
function headerNamespace(parts: Parts): string | undefined {
  return parts.header?.children.find((c) => isCwmpNamespace(c.ns))?.ns;
}

function resolveMethod(parts: Parts, warnings: string[]): Method | DecodeFailure {
  const { entry, id } = parts;
  const fallback = headerNamespace(parts) ?? FALLBACK_NAMESPACE;
  if (entry.local === 'Fault' && entry.ns === SOAP_ENV_NS) return soapFault(entry, fallback);
  const codec = codecFor(entry.local);
  if (isCwmpNamespace(entry.ns)) {
    return codec ? { codec, namespace: entry.ns } : failure('unknown-method', `method ${entry.local} is not supported`, id, entry.ns);
  }
  if (entry.prefix && !entry.ns) return failure('malformed', `XML: undeclared namespace prefix '${entry.prefix}'`, id);
  if (!entry.ns && codec) {
    warnings.push(`${entry.local} is not namespace-qualified; read as ${fallback}`);
    return { codec, namespace: fallback };
  }
  return failure('unknown-method', `${describe(entry)} is not a CWMP method`, id, fallback);
}

function soapFault(entry: XmlElement, fallback: string): Method {
  const detail = childNamed(entry, 'detail');
  const ns = detail && childNamed(detail, 'Fault')?.ns;
  return { codec: codecFor('Fault') as MethodCodec<CwmpMessage>, namespace: ns && isCwmpNamespace(ns) ? ns : fallback };
}

function decodeMethod(parts: Parts, { codec, namespace }: Method, warnings: string[]): DecodeResult {
  try {
    const header = readHeader(parts.header, new Ctx('Header', warnings));
    const body = codec.decode(parts.entry, new Ctx(codec.method, warnings));
    return { ok: true, envelope: { header, body, namespace }, warnings };
  } catch (err) {
    if (!(err instanceof InvalidArguments)) throw err;
    return { ...failure('invalid-arguments', err.message, parts.id, namespace), method: codec.method };
  }
}
