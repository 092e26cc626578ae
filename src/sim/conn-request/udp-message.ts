/**
 * The UDP Connection Request datagram (TR-111 Part 2, now TR-069 Annex G),
 * built by the ACS and parsed by the CPE; both sides use this one module.
 *
 *   GET http://host:port?ts=<unix secs>&id=<random>&un=<username>&cn=<cnonce>&sig=<hex> HTTP/1.1\r\n
 *   Host: host:port\r\n
 *   \r\n
 *
 * sig = hex HMAC-SHA1, keyed with ConnectionRequestPassword, over the
 * concatenation ts || id || un || cn (the values, not the names). There is no
 * reply; the ACS sends several copies and the CPE ignores a stale ts and a
 * replayed id. Values are percent-encoded when built (a no-op for the
 * alphanumeric values GenieACS sends unencoded) and decoded when parsed; the
 * signature is over the decoded values. The parser takes hex in either case
 * (the TR-111 example is upper case) and "\n" line ends.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface UdpConnectionRequest {
  /** The host:port of the request URI. */
  authority: string;
  /** Unix seconds when the ACS built it. */
  ts: number;
  id: string;
  /** ConnectionRequestUsername */
  un: string;
  cn: string;
  /** Lower-case hex. */
  sig: string;
}

export type UdpParseResult = { ok: true; message: UdpConnectionRequest } | { ok: false; reason: string };

export interface UdpBuildInput {
  /** The CPE's UDPConnectionRequestAddress host and port. */
  host: string;
  port: number;
  username: string;
  password: string;
  /** Default: now, in unix seconds. */
  ts?: number;
  /** Default: a random 32-bit number (as GenieACS). */
  id?: string;
  /** Default: 16 random hex digits. */
  cnonce?: string;
}

/** Longer datagrams are refused unparsed. */
export const MAX_DATAGRAM_BYTES = 2048;

export function udpSignature(password: string, ts: number | string, id: string, un: string, cn: string): string {
  return createHmac('sha1', password).update(`${ts}${id}${un}${cn}`).digest('hex');
}

/** The datagram text for one UDP connection request. */
export function buildUdpConnectionRequest(input: UdpBuildInput): string {
  const ts = input.ts ?? Math.floor(Date.now() / 1000);
  const id = input.id ?? String(randomBytes(4).readUInt32BE(0));
  const cn = input.cnonce ?? randomBytes(8).toString('hex');
  const sig = udpSignature(input.password, ts, id, input.username, cn);
  const host = input.host.includes(':') && !input.host.startsWith('[') ? `[${input.host}]` : input.host;
  const authority = `${host}:${input.port}`;
  const q = (s: string): string => encodeURIComponent(s);
  const uri = `http://${authority}?ts=${ts}&id=${q(id)}&un=${q(input.username)}&cn=${q(cn)}&sig=${sig}`;
  return `GET ${uri} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`;
}

const REQUEST_LINE = /^GET\s+(\S+)\s+HTTP\/1\.[01]$/;

/** Reads a datagram; says in one line why it is not a UDP connection request. */
export function parseUdpConnectionRequest(datagram: string | Buffer): UdpParseResult {
  if (datagram.length > MAX_DATAGRAM_BYTES) return { ok: false, reason: `longer than ${MAX_DATAGRAM_BYTES} bytes` };
  const text = typeof datagram === 'string' ? datagram : datagram.toString('latin1');
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const line = REQUEST_LINE.exec(firstLine);
  if (!line) return { ok: false, reason: 'not a "GET <uri> HTTP/1.1" request line' };
  const uri = line[1];
  const query = uri.indexOf('?');
  if (query < 0) return { ok: false, reason: 'no query string' };
  const params = readQuery(uri.slice(query + 1));
  if (!params) return { ok: false, reason: 'undecodable query string' };
  const { ts, id, un, cn, sig } = params;
  if (ts === undefined || !/^\d{1,12}$/.test(ts)) return { ok: false, reason: 'ts missing or not unix seconds' };
  if (!id || un === undefined || !cn) return { ok: false, reason: 'id, un or cn missing' };
  if (sig === undefined || !/^[0-9a-f]{40}$/i.test(sig)) return { ok: false, reason: 'sig missing or not 40 hex digits' };
  const authority = uri.slice(0, query).replace(/^https?:\/\//i, '').replace(/\/.*$/, '');
  return { ok: true, message: { authority, ts: Number(ts), id, un, cn, sig: sig.toLowerCase() } };
}

function readQuery(query: string): Record<string, string> | null {
  const out: Record<string, string> = {};
  try {
    for (const pair of query.split('&')) {
      const eq = pair.indexOf('=');
      if (eq > 0) out[pair.slice(0, eq)] ??= decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, ' '));
    }
  } catch {
    return null;
  }
  return out;
}

export type UdpCheck = 'ok' | 'bad-signature' | 'stale' | 'future';

export interface UdpCheckWindow {
  /** Unix seconds; default now. */
  nowSec?: number;
  /** Older than this is stale (default 60 s). */
  maxAgeSec?: number;
  /** Clock skew tolerated for a ts ahead of ours (default 5 s). */
  maxFutureSec?: number;
}

/** Signature first (an attacker learns nothing about the clock), then freshness. Replays are the receiver's to track. */
export function checkUdpConnectionRequest(m: UdpConnectionRequest, password: string, window: UdpCheckWindow = {}): UdpCheck {
  const want = Buffer.from(udpSignature(password, m.ts, m.id, m.un, m.cn));
  const got = Buffer.from(m.sig.toLowerCase());
  if (got.length !== want.length || !timingSafeEqual(got, want)) return 'bad-signature';
  const now = window.nowSec ?? Math.floor(Date.now() / 1000);
  if (m.ts < now - (window.maxAgeSec ?? 60)) return 'stale';
  if (m.ts > now + (window.maxFutureSec ?? 5)) return 'future';
  return 'ok';
}
