/**
 * The CPE side of HTTP authentication (TR-069 §3.4.4; RFC 2617/7616): reads
 * the ACS's WWW-Authenticate challenge and writes the Authorization answer.
 * Digest with qop="auth" and MD5 or MD5-sess, a random cnonce per request and
 * nc counting up on a reused nonce; Basic; RFC 2069 Digest (no qop) when that
 * is all the server offers. The digest itself is the ACS's own
 * `digestResponse`, so both sides compute it with one function.
 */
import { randomBytes } from 'node:crypto';
import { digestResponse, parseAuthParams } from '../../cwmp/http/auth';

export interface DeviceCredentials {
  username: string;
  password: string;
}

export type Challenge =
  | { scheme: 'basic'; realm: string }
  | { scheme: 'digest'; realm: string; nonce: string; opaque?: string; algorithm: string; qop?: 'auth'; stale: boolean };

/**
 * The challenge we can answer best among those of a 401 (one header may hold
 * several, and a response may carry several headers): Digest before Basic.
 * null when none is usable (no nonce, an unknown algorithm, only auth-int).
 */
export function pickChallenge(headers: readonly string[] | undefined): Challenge | null {
  let basic: Challenge | null = null;
  for (const header of headers ?? []) {
    for (const one of splitChallenges(header)) {
      const space = one.indexOf(' ');
      const scheme = (space < 0 ? one : one.slice(0, space)).toLowerCase();
      const params = parseAuthParams(space < 0 ? '' : one.slice(space + 1));
      if (scheme === 'digest') {
        const digest = digestChallenge(params);
        if (digest) return digest;
      } else if (scheme === 'basic') basic ??= { scheme: 'basic', realm: params.realm ?? '' };
    }
  }
  return basic;
}

/** `Basic realm="a", Digest realm="b", qop="auth"` -> the two challenges. */
function splitChallenges(header: string): string[] {
  return header.split(/,\s*(?=(?:basic|digest)(?:\s|$))/i).map((s) => s.trim()).filter(Boolean);
}

function digestChallenge(p: Record<string, string>): Challenge | null {
  const algorithm = (p.algorithm ?? 'MD5').toUpperCase();
  if (!p.nonce || (algorithm !== 'MD5' && algorithm !== 'MD5-SESS')) return null;
  const offered = p.qop?.split(',').map((q) => q.trim().toLowerCase());
  if (offered && !offered.includes('auth')) return null;
  const c: Challenge = { scheme: 'digest', realm: p.realm ?? '', nonce: p.nonce, algorithm, stale: p.stale?.toLowerCase() === 'true' };
  if (offered) c.qop = 'auth';
  if (p.opaque !== undefined) c.opaque = p.opaque;
  return c;
}

export function basicAuthorization(creds: DeviceCredentials): string {
  return 'Basic ' + Buffer.from(`${creds.username}:${creds.password}`, 'utf8').toString('base64');
}

const quote = (s: string): string => `"${s.replace(/["\\]/g, '\\$&')}"`;

/**
 * The Authorization header answering a Digest challenge for one request.
 * `nc` is the how-many-th use of this nonce (1 for the first).
 */
export function digestAuthorization(
  c: Extract<Challenge, { scheme: 'digest' }>,
  creds: DeviceCredentials,
  httpMethod: string,
  uri: string,
  nc: number,
): string {
  const p: Record<string, string> = { username: creds.username, realm: c.realm, nonce: c.nonce, uri, algorithm: c.algorithm };
  if (c.qop) {
    p.qop = c.qop;
    p.nc = nc.toString(16).padStart(8, '0');
  }
  if (c.qop || c.algorithm === 'MD5-SESS') p.cnonce = randomBytes(8).toString('hex');
  // Never null here: digestChallenge() only keeps MD5/MD5-sess challenges with qop auth or none.
  const response = digestResponse(p, creds.password, httpMethod) as string;
  let header = `Digest username=${quote(p.username)}, realm=${quote(p.realm)}, nonce=${quote(p.nonce)}, uri=${quote(uri)}` +
    `, algorithm=${c.algorithm === 'MD5-SESS' ? 'MD5-sess' : 'MD5'}, response="${response}"`;
  if (p.qop) header += `, qop=auth, nc=${p.nc}`;
  if (p.cnonce) header += `, cnonce="${p.cnonce}"`;
  if (c.opaque !== undefined) header += `, opaque=${quote(c.opaque)}`;
  return header;
}

/**
 * The authentication state of one session: after a challenge was answered,
 * later requests of the session answer it again up front (nc + 1 for Digest),
 * as CPEs do, so a re-challenge is the ACS's choice and not the rule.
 */
export class SessionAuth {
  private challenge: Challenge | null = null;
  private nc = 0;

  constructor(
    private readonly creds: DeviceCredentials,
    private readonly preemptiveBasic: boolean,
  ) {}

  reset(): void {
    this.challenge = null;
    this.nc = 0;
  }

  /**
   * Adopts the challenge of a 401; false when answering it again is pointless:
   * nothing usable, or the request already answered this very challenge (so
   * the credentials were refused). A new nonce (stale or not) is answered.
   */
  challenged(c: Challenge | null, sentAuthorization: string | undefined): boolean {
    if (!c) return false;
    const sent = sentAuthorization?.slice(0, 7).toLowerCase();
    if (c.scheme === 'basic' && sent?.startsWith('basic ')) return false;
    if (c.scheme === 'digest' && sent === 'digest ' && parseAuthParams(sentAuthorization as string).nonce === c.nonce) return false;
    this.challenge = c;
    this.nc = 0;
    return true;
  }

  /** The Authorization header for the next request, if any. */
  header(httpMethod: string, uri: string): string | undefined {
    const c = this.challenge;
    if (!c) return this.preemptiveBasic ? basicAuthorization(this.creds) : undefined;
    if (c.scheme === 'basic') return basicAuthorization(this.creds);
    return digestAuthorization(c, this.creds, httpMethod, uri, ++this.nc);
  }
}
