/**
 * One simulated CPE's HTTP client to the ACS (TR-069 §3.4), cheap enough to
 * keep 20,000 of them in one process.
 *
 * Connections, as a CPE uses them: a session opens ONE TCP connection, keeps
 * it for all its POSTs (a 401 is answered on it too) and closes it when the
 * session ends. Each session therefore gets its own keep-alive `http.Agent`
 * (maxSockets 1), created on the first POST and destroyed by
 * {@link AcsClient.endSession}; an idle client holds no agent and no socket.
 * A shared agent would hand one device's connection to another device, and
 * the ACS, which maps a connection to its session for CPEs that return no
 * cookie, would then mix the two sessions up. (`connection: 'shared'` exists
 * only to measure that difference; see test/unit/sim-transport/bench-client.ts.)
 *
 * Never throws and never rejects: transport failures come back as
 * {@link PostError} values with a stable `kind`.
 */
import http from 'node:http';
import https from 'node:https';
import { inflateRawSync, inflateSync, gunzipSync } from 'node:zlib';
import { wireRequest, type QuirkSet, type WireRequest } from '../quirks';
import { pickChallenge, SessionAuth, type DeviceCredentials } from './client-auth';
import { CookieJar } from './cookie-jar';

export type { DeviceCredentials } from './client-auth';

/** How a client's POSTs map to TCP connections. */
export type ConnectionMode =
  /** One keep-alive connection per session, closed at its end (what a CPE does; default). */
  | 'session'
  /** A new connection per POST (Connection: close). */
  | 'per-post'
  /** One keep-alive pool for every client of the endpoint: NOT a CPE's behaviour; for measurements only. */
  | 'shared';

export interface AcsEndpointOptions {
  /** Per HTTP request, from sending to the last byte of the response (default 30 000: TR-069 says >= 30 s). */
  timeoutMs?: number;
  userAgent?: string;
  connection?: ConnectionMode;
  /** Most times one POST is sent again after a 503 with Retry-After (default 10); past it the 503 is the answer. */
  maxDeferrals?: number;
  /** For https ACS URLs: false accepts any server certificate. */
  rejectUnauthorized?: boolean;
  /** CAs the ACS's certificate must chain to (default: Node's bundled roots). */
  ca?: string | Buffer;
  /** A client certificate (PEM) every client presents, unless its own {@link AcsClientOptions.certificate} replaces it. */
  certificate?: ClientCertificate;
}

/** A CPE's client certificate and key (PEM), presented to an ACS or file server that asks for one. */
export interface ClientCertificate {
  cert: string | Buffer;
  key: string | Buffer;
}

/** The ACS URL and transport settings, parsed once and shared by every client of a fleet. */
export class AcsEndpoint {
  readonly secure: boolean;
  readonly hostname: string;
  readonly port: number;
  /** Path and query: the request target and the Digest `uri`. */
  readonly path: string;
  readonly timeoutMs: number;
  readonly userAgent: string;
  readonly connection: ConnectionMode;
  readonly tls: https.AgentOptions;
  readonly maxDeferrals: number;
  /** POSTs of every client answered 503 with Retry-After and sent again after the wait. */
  deferred = 0;
  private sharedAgent: http.Agent | null = null;

  constructor(url: string | URL, options: AcsEndpointOptions = {}) {
    const u = new URL(url);
    this.secure = u.protocol === 'https:';
    this.hostname = u.hostname.replace(/^\[(.*)\]$/, '$1');
    this.port = Number(u.port) || (this.secure ? 443 : 80);
    this.path = (u.pathname || '/') + u.search;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.userAgent = options.userAgent ?? 'acs-sim/0.1';
    this.connection = options.connection ?? 'session';
    this.maxDeferrals = options.maxDeferrals ?? 10;
    this.tls = { rejectUnauthorized: options.rejectUnauthorized ?? true, ...(options.ca ? { ca: options.ca } : {}), ...options.certificate };
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`ACS URL must be http(s), not ${u.protocol}`);
  }

  /** A keep-alive agent of at most one connection; `tls` adds to (or replaces) the endpoint's TLS options. */
  newAgent(tls: https.AgentOptions = {}): http.Agent {
    const options = { keepAlive: true, maxSockets: 1, maxFreeSockets: 1 };
    return this.secure ? new https.Agent({ ...options, ...this.tls, ...tls }) : new http.Agent(options);
  }

  /** The pool of `connection: 'shared'`. */
  shared(): http.Agent {
    this.sharedAgent ??= this.secure
      ? new https.Agent({ keepAlive: true, ...this.tls })
      : new http.Agent({ keepAlive: true });
    return this.sharedAgent;
  }

  request(options: http.RequestOptions, onResponse: (res: http.IncomingMessage) => void, tls: https.RequestOptions = {}): http.ClientRequest {
    const all = { ...options, hostname: this.hostname, port: this.port, path: this.path };
    // The TLS options go with each request too: a shared agent keys its connections by them (one per client certificate).
    return this.secure ? https.request({ ...all, ...this.tls, ...tls }, onResponse) : http.request(all, onResponse);
  }

  close(): void {
    this.sharedAgent?.destroy();
    this.sharedAgent = null;
  }
}

export interface AcsClientOptions extends Partial<DeviceCredentials> {
  quirks?: QuirkSet;
  /** Send Basic credentials before any challenge (TR-069 §3.4.4: a CPE SHOULD over TLS). */
  preemptiveBasic?: boolean;
  /** Source address, e.g. a distinct 127.0.0.x per device so the ACS sees distinct CPE addresses. */
  localAddress?: string;
  /** This device's own client certificate (mTLS), instead of the endpoint's. */
  certificate?: ClientCertificate;
}

export interface PostOk {
  ok: true;
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Decompressed (gzip/deflate) and decoded (UTF-8 or ISO-8859-1 per charset). */
  body: string;
  /** Round trip of the request that produced this response, in microseconds. */
  rttUs: number;
  /** The whole post(), including an answered 401 and a reconnect, in microseconds. */
  totalUs: number;
  /** HTTP requests sent: 1, 2 after an answered 401 or a reconnect, more after 503s with Retry-After. */
  attempts: number;
}

export type TransportErrorKind =
  | 'refused' // ECONNREFUSED: nothing listens
  | 'reset' // the connection closed or reset before a complete response
  | 'timeout' // no complete response within timeoutMs
  | 'dns' // the host name did not resolve
  | 'unreachable' // no route, connect timed out
  | 'protocol' // not HTTP, or a body that does not decompress
  | 'busy' // post() called while another POST of this client is in flight (a CPE does not pipeline)
  | 'closed' // the client was closed
  | 'other';

export interface PostError {
  ok: false;
  kind: TransportErrorKind;
  /** The system or Node error code when there is one (ECONNRESET, HPE_INVALID_CONSTANT...), else the kind. */
  code: string;
  message: string;
  totalUs: number;
  attempts: number;
}

export type PostResult = PostOk | PostError;

type Exchange =
  | { ok: true; res: http.IncomingMessage; raw: Buffer; rttUs: number }
  | { ok: false; kind: TransportErrorKind; code: string; message: string; reused: boolean };

const ERROR_KINDS: Readonly<Record<string, TransportErrorKind>> = {
  ECONNREFUSED: 'refused',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  ECONNABORTED: 'reset',
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  ETIMEDOUT: 'unreachable',
  EADDRNOTAVAIL: 'unreachable',
};

function kindOf(code: string): TransportErrorKind {
  return ERROR_KINDS[code] ?? (code.startsWith('HPE_') ? 'protocol' : 'other');
}

const nowUs = (): number => performance.now() * 1000;

/**
 * The HTTP side of one simulated CPE. Call {@link startSession} before a
 * session's Inform and {@link endSession} after its last response; between
 * them {@link post} sends each message.
 */
export class AcsClient {
  private agent: http.Agent | null = null;
  private jar: CookieJar | null = null;
  private auth: SessionAuth | null = null;
  private busy = false;
  private closed = false;
  /** Ends a Retry-After wait early when the client is closed. */
  private wake: (() => void) | null = null;

  constructor(
    private readonly endpoint: AcsEndpoint,
    private readonly options: AcsClientOptions = {},
  ) {}

  /** A new session: no cookies, no authentication state, a new connection on the first POST. */
  startSession(): void {
    this.endSession();
  }

  /** Closes the session's connection and forgets its cookies and nonce. */
  endSession(): void {
    this.agent?.destroy();
    this.agent = null;
    // Dropped rather than cleared: an idle client keeps nothing but its settings.
    this.jar = null;
    this.auth = null;
  }

  /** Ends the session; every later post() returns kind 'closed'. */
  close(): void {
    this.endSession();
    this.closed = true;
    this.wake?.();
  }

  /**
   * The TLS options this CPE connects with (CAs it trusts, its client
   * certificate): its file transfers use them too, as a CPE's one TLS stack does.
   */
  get tls(): https.RequestOptions {
    return { ...this.endpoint.tls, ...this.options.certificate };
  }

  /** The session's cookies (for tests and logs). */
  cookie(name: string): string | undefined {
    return this.jar?.get(name);
  }

  /**
   * POSTs one message (`null`: the empty POST) and returns the ACS's answer.
   * A 401 with a Basic or Digest challenge is answered once, on the same
   * connection; a keep-alive connection the server had already closed is
   * replaced once. Text and wire quirks are applied here.
   */
  async post(xml: string | null): Promise<PostResult> {
    const t0 = nowUs();
    if (this.closed) return this.failure(t0, 0, 'closed', 'closed', 'the client is closed');
    if (this.busy) return this.failure(t0, 0, 'busy', 'busy', 'a POST of this client is already in flight');
    this.busy = true;
    try {
      return await this.send(wireRequest(xml, this.quirks), t0);
    } catch (err) {
      // Only a bug can get here (every I/O failure is a value); keep the process alive anyway.
      return this.failure(t0, 1, 'other', 'ACS_ERR_SIM_TRANSPORT', (err as Error).message);
    } finally {
      this.busy = false;
    }
  }

  private get quirks(): QuirkSet {
    return this.options.quirks ?? NO_QUIRKS;
  }

  private async send(wire: WireRequest, t0: number): Promise<PostResult> {
    let attempts = 0;
    let reconnected = false;
    let answered = false;
    let deferrals = 0;
    for (;;) {
      const authorization = this.sessionAuth()?.header('POST', this.endpoint.path);
      attempts++;
      const ex = await this.exchange(wire, authorization);
      if (!ex.ok) {
        // RFC 9112 §9.3.1: a request on a reused idle connection that the server closed meanwhile may be resent.
        if (ex.reused && ex.kind === 'reset' && !reconnected) {
          reconnected = true;
          continue;
        }
        return this.failure(t0, attempts, ex.kind, ex.code, ex.message);
      }
      if (ex.res.statusCode === 401 && !answered && this.answerChallenge(ex.res, authorization)) {
        answered = true;
        continue;
      }
      const waitMs = deferrals < this.endpoint.maxDeferrals ? retryAfterMs(ex.res) : null;
      if (waitMs !== null) {
        deferrals++;
        this.endpoint.deferred++;
        if (!(await this.waitToRetry(waitMs))) return this.failure(t0, attempts, 'closed', 'closed', 'the client is closed');
        continue;
      }
      return this.success(ex, t0, attempts);
    }
  }

  /**
   * RFC 9110 §15.6.4: a 503 means the request was not processed; the CPE waits
   * as told, on a new connection (the ACS closes the refused one), then sends it
   * again. False when the client was closed meanwhile.
   */
  private waitToRetry(ms: number): Promise<boolean> {
    this.agent?.destroy();
    this.agent = null;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve(!this.closed);
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve(false);
      };
    });
  }

  private sessionAuth(): SessionAuth | null {
    const { username, password } = this.options;
    if (username === undefined || password === undefined) return null;
    this.auth ??= new SessionAuth({ username, password }, this.options.preemptiveBasic ?? false);
    return this.auth;
  }

  private answerChallenge(res: http.IncomingMessage, sent: string | undefined): boolean {
    const auth = this.sessionAuth();
    return auth !== null && auth.challenged(pickChallenge(res.headersDistinct['www-authenticate']), sent);
  }

  private success(ex: Extract<Exchange, { ok: true }>, t0: number, attempts: number): PostResult {
    const { res } = ex;
    const decoded = decodeBody(ex.raw, res.headers);
    if (typeof decoded !== 'string') return this.failure(t0, attempts, 'protocol', decoded.code, decoded.message);
    return { ok: true, status: res.statusCode ?? 0, headers: res.headers, body: decoded, rttUs: Math.round(ex.rttUs), totalUs: Math.round(nowUs() - t0), attempts };
  }

  private failure(t0: number, attempts: number, kind: TransportErrorKind, code: string, message: string): PostError {
    return { ok: false, kind, code, message, totalUs: Math.round(nowUs() - t0), attempts };
  }

  private headersFor(wire: WireRequest, authorization: string | undefined): http.OutgoingHttpHeaders {
    const headers: http.OutgoingHttpHeaders = { 'User-Agent': this.endpoint.userAgent, ...wire.headers };
    if (authorization) headers.Authorization = authorization;
    if (!this.quirks.has('no-cookie')) {
      const cookie = this.jar?.header(this.quirks.has('version-cookie') ? 'rfc2965' : 'plain');
      if (cookie) headers.Cookie = cookie;
    }
    return headers;
  }

  private agentFor(): http.Agent | false {
    switch (this.endpoint.connection) {
      case 'per-post':
        return false;
      case 'shared':
        return this.endpoint.shared();
      default:
        this.agent ??= this.endpoint.newAgent(this.options.certificate);
        return this.agent;
    }
  }

  /** One HTTP request; resolves (never rejects) with the whole response or a classified failure. */
  private exchange(wire: WireRequest, authorization: string | undefined): Promise<Exchange> {
    return new Promise((resolve) => {
      const t0 = nowUs();
      let settled = false;
      const settle = (ex: Exchange): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(ex);
      };
      const fail = (code: string, message: string, kind = kindOf(code)): void =>
        settle({ ok: false, kind, code, message, reused: req.reusedSocket });
      const options: http.RequestOptions = { method: 'POST', headers: this.headersFor(wire, authorization), agent: this.agentFor() };
      if (this.options.localAddress) options.localAddress = this.options.localAddress;
      const req = this.endpoint.request(options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          // headers, not headersDistinct: Node always gives set-cookie as a list, and headersDistinct copies every header.
          const setCookie = res.headers['set-cookie'];
          if (setCookie && !this.quirks.has('no-cookie')) (this.jar ??= new CookieJar()).store(setCookie);
          settle({ ok: true, res, raw: Buffer.concat(chunks), rttUs: nowUs() - t0 });
        });
        res.on('error', (err: NodeJS.ErrnoException) => fail(err.code ?? 'ECONNRESET', err.message, 'reset'));
        res.on('close', () => {
          if (!res.complete) fail('ECONNRESET', 'connection closed before the end of the response', 'reset');
        });
      }, this.options.certificate);
      req.on('error', (err: NodeJS.ErrnoException) => fail(err.code ?? 'ERR', err.message));
      const timer = setTimeout(() => {
        fail('ETIMEDOUT', `no response within ${this.endpoint.timeoutMs} ms`, 'timeout');
        req.destroy();
      }, this.endpoint.timeoutMs);
      req.end(wire.body.length > 0 ? wire.body : undefined);
    });
  }
}

const NO_QUIRKS: QuirkSet = new Set();

/** Longest wait honoured from one Retry-After, so a wrong header cannot park a device for a day. */
const MAX_RETRY_AFTER_MS = 300_000;

/** The wait a 503 asks for (RFC 9110 §10.2.3: delay-seconds or an HTTP-date), or null when it is no such answer. */
export function retryAfterMs(res: Pick<http.IncomingMessage, 'statusCode' | 'headers'>): number | null {
  const value = res.headers['retry-after']?.trim();
  if (res.statusCode !== 503 || !value) return null;
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value) - Date.now();
  if (Number.isNaN(ms)) return null;
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}

const LATIN1 = /charset\s*=\s*"?(iso-?8859-1|latin-?1|us-ascii|windows-1252)/i;

/** The response body as text: gzip/deflate undone, ISO-8859-1 honoured, UTF-8 otherwise. */
function decodeBody(raw: Buffer, headers: http.IncomingHttpHeaders): string | { code: string; message: string } {
  const encoding = String(headers['content-encoding'] ?? '').trim().toLowerCase();
  let bytes = raw;
  try {
    if (raw.length > 0 && (encoding === 'gzip' || encoding === 'x-gzip')) bytes = gunzipSync(raw);
    else if (raw.length > 0 && encoding === 'deflate') bytes = raw[0] === 0x78 ? inflateSync(raw) : inflateRawSync(raw);
  } catch (err) {
    return { code: (err as NodeJS.ErrnoException).code ?? 'Z_DATA_ERROR', message: `${encoding} body: ${(err as Error).message}` };
  }
  return bytes.toString(LATIN1.test(String(headers['content-type'] ?? '')) ? 'latin1' : 'utf8');
}
