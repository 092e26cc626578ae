/** One signed POST of a delivery to its receiver. */
import http from 'node:http';
import https from 'node:https';
import { signature } from './sign';

export type PostOutcome = { ok: true; status: number } | { ok: false; status: number | null; error: string };

/*
 * node:http with keep-alive rather than fetch: in bench (w) fetch's
 * machinery (undici, web streams, AbortSignal.timeout) and its garbage were
 * most of the worker's CPU per delivery. Redirects are not followed (a 3xx
 * is a failed attempt), as with fetch's redirect: 'manual' before.
 */
/* At most this many connections per receiver: a job's deliveries to different devices go at once, and 50 jobs run together. */
const agentOptions = { keepAlive: true, maxSockets: 64 };
const agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };

/** Receivers' URLs as parsed: a subscription's deliveries share one (a parse per POST showed in bench (w)'s profile). */
const targets = new Map<string, URL>();
const TARGETS_MAX = 1000;

function targetOf(url: string): URL {
  let target = targets.get(url);
  if (!target) {
    if (targets.size >= TARGETS_MAX) targets.clear();
    targets.set(url, (target = new URL(url)));
  }
  return target;
}

export function post(url: string, id: string, event: string, body: string, secret: string, timeoutMs: number): Promise<PostOutcome> {
  const target = targetOf(url);
  const headers = {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    'User-Agent': 'acs-webhooks',
    'X-ACS-Delivery': id,
    'X-ACS-Event': event,
    'X-ACS-Signature': signature(secret, body, Math.floor(Date.now() / 1000)),
  };
  return new Promise((resolve) => {
    let timedOut = false;
    const failed = (err: Error & { code?: string }) => {
      clearTimeout(timer);
      const error = timedOut ? `no answer within ${timeoutMs} ms` : `${err.message}${err.code && !err.message.includes(err.code) ? ` (${err.code})` : ''}`;
      resolve({ ok: false, status: null, error });
    };
    const secure = target.protocol === 'https:';
    const req = (secure ? https : http).request(target, { method: 'POST', headers, agent: secure ? agents.https : agents.http }, (res) => {
      const status = res.statusCode ?? 0;
      res.on('error', failed);
      // A connection cut mid-answer (or by the timeout) may end the answer without an 'error'.
      res.on('close', () => !res.complete && failed(new Error('the answer was cut short')));
      res.on('end', () => {
        clearTimeout(timer);
        resolve(status >= 200 && status < 300 ? { ok: true, status } : { ok: false, status, error: `receiver answered ${status}` });
      });
      res.resume();
    });
    req.on('error', failed);
    const timer = setTimeout(() => {
      timedOut = true;
      req.destroy(new Error('timeout'));
    }, timeoutMs);
    req.end(body);
  });
}
