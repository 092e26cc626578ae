/**
 * Sending one bulk data report over HTTP(S) (TR-069 N.2): the profile's
 * method, the body compressed as HTTP.Compression says, the
 * BBF-Report-Format and Date headers, and the profile's credentials: Basic
 * up front when a Username is set, Digest when the collector challenges
 * with it (TR-181: the CPE MUST support both).
 */
import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';
import { pickChallenge, SessionAuth } from '../transport/client-auth';
import type { ProfileConfig } from './config';
import type { EncodedReport } from './encode';

export interface PostOutcome {
  ok: boolean;
  /** HTTP status of the last response, 0 when none came. */
  status: number;
  /** Why it failed, for the fleet's report. */
  reason?: string;
}

const TIMEOUT_MS = 30_000;

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
}

function exchange(url: URL, method: string, headers: Record<string, string>, body: Buffer, tls: https.RequestOptions): Promise<Answer> {
  const secure = url.protocol === 'https:';
  const request = secure ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = request(url, { ...(secure ? tls : {}), method, headers: { ...headers, 'Content-Length': String(body.length) }, timeout: TIMEOUT_MS }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

function compress(text: string, compression: ProfileConfig['compression']): { body: Buffer; encoding?: string } {
  const raw = Buffer.from(text, 'utf8');
  if (compression === 'GZIP') return { body: zlib.gzipSync(raw), encoding: 'gzip' };
  if (compression === 'Deflate') return { body: zlib.deflateSync(raw), encoding: 'deflate' };
  return { body: raw };
}

function headerList(v: string | string[] | undefined): string[] {
  return Array.isArray(v) ? v : v ? [v] : [];
}

/** Sends a report; at most one answer to an authentication challenge (two for a stale Digest nonce). */
export async function postReport(url: URL, profile: ProfileConfig, report: EncodedReport, simNow: number, tls: https.RequestOptions = {}): Promise<PostOutcome> {
  const { body, encoding } = compress(report.text, profile.compression);
  const headers: Record<string, string> = { 'Content-Type': report.contentType, 'BBF-Report-Format': report.reportFormat };
  if (encoding) headers['Content-Encoding'] = encoding;
  if (profile.useDateHeader) headers.Date = new Date(simNow).toUTCString();
  const withCredentials = profile.username !== '';
  const auth = new SessionAuth({ username: profile.username, password: profile.password }, withCredentials);
  const uri = url.pathname + url.search;
  try {
    for (let answered = 0; ; answered++) {
      const authorization = withCredentials ? auth.header(profile.method, uri) : undefined;
      const res = await exchange(url, profile.method, authorization ? { ...headers, Authorization: authorization } : headers, body, tls);
      const ok = res.status >= 200 && res.status < 300;
      if (ok || res.status !== 401 || !withCredentials || answered >= 2) return ok ? { ok, status: res.status } : { ok, status: res.status, reason: `HTTP ${res.status}` };
      const challenge = pickChallenge(headerList(res.headers['www-authenticate']));
      const again = (answered === 0 || (challenge?.scheme === 'digest' && challenge.stale)) && auth.challenged(challenge, authorization);
      if (!again) return { ok: false, status: 401, reason: 'HTTP 401 (credentials refused)' };
    }
  } catch (err) {
    return { ok: false, status: 0, reason: (err as Error).message };
  }
}
