/**
 * The HTTP connection request (TR-069 §3.2.2): a GET with no body to the
 * CPE's ConnectionRequestURL, answering its 401 with Digest (RFC 7616,
 * qop=auth, MD5) or, when Basic is all it offers, Basic. 200/204 means the
 * CPE will open a session. Network failures (refused, reset, no answer within
 * the timeout) are tried again a few times with a short doubling backoff; an
 * HTTP answer is never retried here (a 503 is the CPE limiting the rate, and
 * a refused password stays refused).
 *
 * The Authorization header is written by the simulator's client-auth, the
 * same code a simulated CPE uses towards the ACS: one Digest client in the
 * code base, and it is the ACS's own `digestResponse` underneath.
 */
import http from 'node:http';
import https from 'node:https';
import { basicAuthorization, digestAuthorization, pickChallenge, type Challenge } from '../sim/transport/client-auth';
import type { ConnectionRequestCredentials, ConnectionRequestResult } from './types';

export interface HttpRequestOptions {
  /** Per GET, connect to answer (default 3000 ms). */
  timeoutMs: number;
  /** Tries when nothing answered (default 3). */
  attempts: number;
  /** Wait before the second try; doubles each time (default 250 ms). */
  backoffMs: number;
  /** Answer a Basic challenge (only ever sent when the CPE offers nothing else). Default true. */
  allowBasic: boolean;
}

export const HTTP_DEFAULTS: HttpRequestOptions = { timeoutMs: 3000, attempts: 3, backoffMs: 250, allowBasic: true };

export interface HttpAttempt {
  outcome: ConnectionRequestResult;
  message: string;
}

type Answer = { status: number; challenges: string[] } | { failure: 'timeout' | 'refused' | 'unreachable'; message: string };

/** A URL we can send a connection request to (http or https, with a host); null otherwise. */
export function usableUrl(raw: string | null): URL | null {
  if (!raw) return null;
  try {
    const url = new URL(raw.trim());
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' ? url : null;
  } catch {
    return null;
  }
}

export async function httpConnectionRequest(
  url: URL,
  credentials: ConnectionRequestCredentials | null,
  options: HttpRequestOptions = HTTP_DEFAULTS,
): Promise<HttpAttempt> {
  let last: HttpAttempt = { outcome: 'timeout', message: 'not tried' };
  for (let attempt = 1; attempt <= Math.max(1, options.attempts); attempt++) {
    if (attempt > 1) await sleep(options.backoffMs * 2 ** (attempt - 2));
    last = await exchange(url, credentials, options);
    if (!['timeout', 'refused', 'unreachable'].includes(last.outcome)) return last;
    last = { ...last, message: `${last.message} (try ${attempt} of ${options.attempts})` };
  }
  return last;
}

/**
 * One unauthenticated GET, then the answer to its challenge (twice for a
 * stale Digest nonce), on one keep-alive connection when the CPE keeps it open
 * (a new one when it closes after its 401): one TCP handshake less per request
 * on both sides. The agent is this exchange's own and is gone after it.
 */
async function exchange(url: URL, credentials: ConnectionRequestCredentials | null, o: HttpRequestOptions): Promise<HttpAttempt> {
  const agent = new (url.protocol === 'https:' ? https : http).Agent({ keepAlive: true, maxSockets: 1 });
  try {
    return await challengeRounds(url, credentials, o, agent);
  } finally {
    agent.destroy();
  }
}

async function challengeRounds(url: URL, credentials: ConnectionRequestCredentials | null, o: HttpRequestOptions, agent: http.Agent): Promise<HttpAttempt> {
  const get = (authorizationHeader?: string) => request(url, authorizationHeader, o.timeoutMs, agent);
  let answer = await get();
  for (let round = 0; round < 3; round++) {
    if ('failure' in answer) return { outcome: answer.failure, message: `${url.origin}: ${answer.message}` };
    if (answer.status >= 200 && answer.status < 300) return { outcome: 'ok', message: `${url.origin} answered ${answer.status}` };
    if (answer.status !== 401) return { outcome: `http-${answer.status}`, message: `${url.origin} answered ${answer.status}` };
    const challenge = pickChallenge(answer.challenges);
    const refusal = refuse(challenge, credentials, round, o);
    if (refusal) return { outcome: 'auth-failed', message: `${url.origin}: ${refusal}` };
    answer = await get(authorization(challenge as Challenge, credentials as ConnectionRequestCredentials, url));
  }
  return { outcome: 'auth-failed', message: `${url.origin}: still challenged after answering` };
}

/** Why a 401 cannot (or can no longer) be answered; null to answer it. */
function refuse(challenge: Challenge | null, credentials: ConnectionRequestCredentials | null, round: number, o: HttpRequestOptions): string | null {
  if (!challenge) return 'the CPE offers no authentication scheme we answer (Digest MD5 qop=auth, Basic)';
  if (!credentials) return 'no ConnectionRequestUsername/Password known for the device';
  if (challenge.scheme === 'basic' && !o.allowBasic) return 'the CPE asks for Basic, which is switched off';
  // Round 0 answers the first challenge; a second 401 means the credentials were refused, unless Digest says the nonce was only stale.
  if (round > 0 && !(challenge.scheme === 'digest' && challenge.stale)) return 'the CPE refused the credentials';
  return null;
}

function authorization(challenge: Challenge, credentials: ConnectionRequestCredentials, url: URL): string {
  if (challenge.scheme === 'basic') return basicAuthorization(credentials);
  return digestAuthorization(challenge, credentials, 'GET', url.pathname + url.search, 1);
}

function request(url: URL, authorizationHeader: string | undefined, timeoutMs: number, agent: http.Agent): Promise<Answer> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const headers: Record<string, string> = { 'User-Agent': 'acs-connection-request' };
    if (authorizationHeader) headers.Authorization = authorizationHeader;
    const req = client.request(url, { method: 'GET', headers, agent, timeout: timeoutMs }, (res) => {
      res.resume();
      const challenges = res.headersDistinct['www-authenticate'] ?? [];
      res.on('end', () => resolve({ status: res.statusCode ?? 0, challenges }));
      res.on('error', () => resolve({ status: res.statusCode ?? 0, challenges }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ failure: failureOf(err.code), message: err.message }));
    req.end();
  });
}

function failureOf(code: string | undefined): 'timeout' | 'refused' | 'unreachable' {
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ETIMEDOUT') return 'timeout';
  return 'unreachable';
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
