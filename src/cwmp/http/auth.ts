import { createHmac, hash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * HTTP authentication of CPEs (TR-069 §3.4.4): Basic, and Digest with
 * qop="auth" and MD5 or MD5-sess (RFC 2617/7616).
 *
 * Nonces are stateless: a timestamp and random part signed with a secret that
 * all front ends share, so a CPE may answer a challenge on any of them.
 */
export type AuthScheme = 'basic' | 'digest';

export interface Credentials {
  username: string;
  password: string;
}

export type AuthOutcome =
  /** For Digest, `replayKey` names the nonce and count used: the caller refuses a second use of it. */
  | { ok: true; username: string; replayKey?: string }
  | { ok: false; reason: string; challenge: string };

const NONCE_LIFETIME_MS = 5 * 60_000;

// One call, no Hash object: Digest checks hash three times per request (crypto.hash, Node >= 20.12).
const md5 = (s: string): string => hash('md5', s, 'hex');

/** Equal strings, compared in constant time (passwords, signatures). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Parses `k=v, k2="v 2"` lists (Digest parameters); quoted values may contain commas. */
export function parseAuthParams(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    out[m[1].toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3];
  }
  return out;
}

export class Authenticator {
  constructor(
    private readonly realm: string,
    private readonly secret: Buffer,
  ) {}

  newNonce(now = Date.now()): string {
    const body = `${now.toString(36)}.${randomBytes(9).toString('base64url')}`;
    const sig = createHmac('sha256', this.secret).update(body).digest('base64url').slice(0, 22);
    return `${body}.${sig}`;
  }

  /** 'ok', 'stale' (genuine but old: the CPE retries with a fresh one without asking its user) or 'bad'. */
  checkNonce(nonce: string, now = Date.now()): 'ok' | 'stale' | 'bad' {
    const [ts, rand, sig] = nonce.split('.');
    if (!ts || !rand || !sig) return 'bad';
    const want = createHmac('sha256', this.secret).update(`${ts}.${rand}`).digest('base64url').slice(0, 22);
    if (!safeEqual(sig, want)) return 'bad';
    return now - parseInt(ts, 36) > NONCE_LIFETIME_MS ? 'stale' : 'ok';
  }

  challenge(scheme: AuthScheme, stale = false): string {
    if (scheme === 'basic') return `Basic realm="${this.realm}"`;
    const staleFlag = stale ? ', stale=true' : '';
    return `Digest realm="${this.realm}", qop="auth", nonce="${this.newNonce()}", algorithm=MD5${staleFlag}`;
  }

  /**
   * Checks an Authorization header against the expected credentials. `scheme`
   * is what we challenge with; Basic is still accepted from a CPE that sends it
   * pre-emptively when the scheme is basic, never when digest is required.
   */
  verify(header: string | undefined, scheme: AuthScheme, expected: Credentials, httpMethod: string, uri: string): AuthOutcome {
    const fail = (reason: string, stale = false): AuthOutcome => ({ ok: false, reason, challenge: this.challenge(scheme, stale) });
    if (!header) return fail('no Authorization header');
    const space = header.indexOf(' ');
    const kind = (space < 0 ? header : header.slice(0, space)).toLowerCase();
    const rest = space < 0 ? '' : header.slice(space + 1);
    if (kind === 'basic' && scheme === 'basic') return this.verifyBasic(rest, expected) ?? fail('wrong username or password');
    if (kind === 'digest') return this.verifyDigest(parseAuthParams(rest), expected, httpMethod, uri, fail);
    return fail(`${kind || 'unknown'} authentication not accepted; ${scheme} required`);
  }

  private verifyBasic(token: string, expected: Credentials): AuthOutcome | null {
    const decoded = Buffer.from(token.trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const username = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    const ok = colon >= 0 && safeEqual(username, expected.username) && safeEqual(password, expected.password);
    return ok ? { ok: true, username } : null;
  }

  private verifyDigest(
    p: Record<string, string>,
    expected: Credentials,
    httpMethod: string,
    uri: string,
    fail: (reason: string, stale?: boolean) => AuthOutcome,
  ): AuthOutcome {
    if (!p.nonce || !p.response || !p.uri || p.username === undefined) return fail('incomplete Digest header');
    // We challenge with qop="auth": an answer without it (RFC 2069) would be a downgrade.
    if (p.qop !== 'auth' || !p.nc || !p.cnonce) return fail('Digest answer without qop=auth, nc and cnonce');
    if (p.realm !== this.realm) return fail(`wrong realm "${p.realm}"`);
    if (p.uri !== uri) return fail(`Digest uri "${p.uri}" is not the request's "${uri}"`);
    const nonce = this.checkNonce(p.nonce);
    if (nonce === 'bad') return fail('nonce not issued by this ACS');
    if (p.username !== expected.username) return fail('wrong username or password');
    const want = digestResponse(p, expected.password, httpMethod);
    if (!want || !safeEqual(p.response.toLowerCase(), want)) return fail('wrong username or password');
    if (nonce === 'stale') return fail('stale nonce', true);
    return { ok: true, username: p.username, replayKey: `${p.nonce}:${p.nc}` };
  }
}

/** The response a client computes (RFC 2617 §3.2.2); null for a qop or algorithm we do not offer. */
export function digestResponse(p: Record<string, string>, password: string, httpMethod: string): string | null {
  const algorithm = (p.algorithm ?? 'MD5').toUpperCase();
  if ((algorithm !== 'MD5' && algorithm !== 'MD5-SESS') || !p.cnonce) return null;
  let ha1 = md5(`${p.username}:${p.realm}:${password}`);
  if (algorithm === 'MD5-SESS') ha1 = md5(`${ha1}:${p.nonce}:${p.cnonce}`);
  const ha2 = md5(`${httpMethod}:${p.uri}`);
  if (p.qop !== 'auth' || !p.cnonce || !p.nc) return null;
  return md5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:auth:${ha2}`);
}

/** The username of a Basic or Digest Authorization header, or null. */
export function claimedUsername(header: string | undefined): string | null {
  const m = /^\s*(\S+)\s+(.*)$/s.exec(header ?? '');
  if (!m) return null;
  if (m[1].toLowerCase() === 'digest') return parseAuthParams(m[2]).username ?? null;
  if (m[1].toLowerCase() !== 'basic') return null;
  const decoded = Buffer.from(m[2].trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon > 0 ? decoded.slice(0, colon) : null;
}

