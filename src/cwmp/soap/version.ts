/**
 * CWMP version negotiation.
 *
 * Version choice (TR-069 Amd 5/6 sec. 3.7.4 via the checklist): with
 * SupportedCWMPVersions, the highest common version, announced in
 * UseCWMPVersion, or fault 8006; without it, inferred from the namespace.
 */
import { acsFault } from './fault-codes';
import { CWMP_NS } from './namespaces';
import type { CwmpHeader, CwmpVersion, Fault } from './types';

/** The versions this codec speaks, oldest first. */
export const SUPPORTED_CWMP_VERSIONS: readonly CwmpVersion[] = ['1.0', '1.1', '1.2', '1.3', '1.4'];

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
