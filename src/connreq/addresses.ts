/**
 * Which hosts a connection request from outside the CPE's network cannot
 * reach: private (RFC 1918), shared (RFC 6598 CGNAT), link-local and unique
 * local IPv6. A ConnectionRequestURL naming one is the CPE's LAN-side address
 * behind a NAT, which is what UDP connection requests (Annex G) exist for.
 * Loopback is not in the list: an ACS on the same host reaches it.
 */
import { isIPv4, isIPv6 } from 'node:net';

export function isPrivateHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (isIPv4(host)) return privateV4(host.split('.').map(Number));
  if (isIPv6(host)) {
    const lower = host.toLowerCase();
    if (lower.startsWith('::ffff:') && isIPv4(lower.slice(7))) return privateV4(lower.slice(7).split('.').map(Number));
    return /^f[cd]/.test(lower) || /^fe[89ab]/.test(lower);
  }
  return false;
}

function privateV4([a, b]: number[]): boolean {
  return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || (a === 169 && b === 254);
}
