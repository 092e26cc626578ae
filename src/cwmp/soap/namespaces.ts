/**
 * SOAP/CWMP namespace URIs and CWMP version negotiation.
 *
 * The XSDs define urn:dslforum-org:cwmp-1-0 (CWMP 1.0), -1-1 (1.1) and -1-2
 * (1.2; cwmp-1-3.xsd and cwmp-1-4.xsd keep the -1-2 namespace for 1.3/1.4).
 * Field devices also send -1-3 / -1-4, so any urn:dslforum-org:cwmp-1-N is
 * accepted and a CPE is always answered in its own namespace URI.
 * Version choice (TR-069 Amd 5/6 sec. 3.7.4 via the checklist): with
 * SupportedCWMPVersions, the highest common version, announced in
 * UseCWMPVersion, or fault 8006; without it, inferred from the namespace.
 */
import { acsFault } from './faults';
import type { CwmpHeader, CwmpVersion, Fault } from './types';

export const SOAP_ENV_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const SOAP_ENC_NS = 'http://schemas.xmlsoap.org/soap/encoding/';
export const XSD_NS = 'http://www.w3.org/2001/XMLSchema';
export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';

/** The versions this codec speaks, oldest first. */
export const SUPPORTED_CWMP_VERSIONS: readonly CwmpVersion[] = ['1.0', '1.1', '1.2', '1.3', '1.4'];

const CWMP_NS = /^urn:dslforum-org:cwmp-1-(\d+)$/;

export function isCwmpNamespace(ns: string): boolean {
  return CWMP_NS.test(ns);
}

/**
 * The CWMP version a namespace URI stands for, without header hints:
 * 1-0 -> 1.0, 1-1 -> 1.1, 1-2 -> 1.2, 1-3 and above -> 1.4 (as GenieACS and
 * icwmp read them). undefined for a non-CWMP URI.
 */
export function cwmpVersionOfNamespace(ns: string): CwmpVersion | undefined {
  const m = CWMP_NS.exec(ns);
  if (!m) return undefined;
  const minor = Number(m[1]);
  return minor <= 2 ? SUPPORTED_CWMP_VERSIONS[minor] : '1.4';
}

/** The namespace URI to use when we start a conversation in a given version (1.2-1.4 share cwmp-1-2). */
export function namespaceOfVersion(version: CwmpVersion): string {
  const minor = version === '1.0' ? 0 : version === '1.1' ? 1 : 2;
  return `urn:dslforum-org:cwmp-1-${minor}`;
}

export type Negotiation = { ok: true; version: CwmpVersion; useCwmpVersion?: string } | { ok: false; fault: Fault };

/** Picks the session's CWMP version from an Inform's namespace and header. */
export function negotiateVersion(namespace: string, header: CwmpHeader): Negotiation {
  if (header.SupportedCWMPVersions !== undefined) return fromSupported(header.SupportedCWMPVersions);
  const version = cwmpVersionOfNamespace(namespace);
  if (!version) return { ok: false, fault: acsFault(8006, `Unknown CWMP namespace ${namespace}`) };
  if (version === '1.2' && header.SessionTimeout !== undefined) return { ok: true, version: '1.3' };
  return { ok: true, version };
}

function fromSupported(list: string): Negotiation {
  const offered = new Set(list.split(',').map((v) => /^\s*(\d+\.\d+)/.exec(v)?.[1]));
  const common = SUPPORTED_CWMP_VERSIONS.filter((v) => offered.has(v));
  const version = common[common.length - 1];
  if (!version) return { ok: false, fault: acsFault(8006, `No common CWMP version in "${list}"`) };
  return { ok: true, version, useCwmpVersion: version };
}
