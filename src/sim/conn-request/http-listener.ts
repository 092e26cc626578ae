/**
 * Connection requests (TR-069 §3.2.2) for every simulated CPE, on ONE HTTP
 * server: device D is reached at `http://127.0.0.1:PORT/<D's path>`, which is
 * what it reports as ManagementServer.ConnectionRequestURL.
 *
 * Per request, in order:
 *   unknown path → 404; not GET → 405 (Allow: GET);
 *   no, wrong or replayed credentials → 401 with a fresh Digest challenge
 *   (qop="auth", MD5; stale=true when only the nonce had expired);
 *   within `minIntervalMs` of the device's last accepted request → 503
 *   with Retry-After (§3.2.2: the CPE SHOULD restrict the rate);
 *   else 200 with an empty body, then `onRequest()`.
 * Coalescing several requests into one session is the caller's business:
 * `onRequest` is called once per accepted request. Unparseable requests get a
 * 400 from Node's parser; nothing a client sends can throw out of here.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { digestResponse, parseAuthParams } from '../../cwmp/http/auth';
import { NonceBook } from './nonces';

export interface ConnectionRequestTarget {
  /** ManagementServer.ConnectionRequestUsername */
  username: string;
  /** ManagementServer.ConnectionRequestPassword */
  password: string;
  /** Called after each accepted request has been answered. */
  onRequest: () => void;
}

export type HttpCrOutcome = 'accepted' | 'unauthorized' | 'rate-limited' | 'not-found' | 'bad-method' | 'bad-request';

export interface HttpCrEvent {
  outcome: HttpCrOutcome;
  /** The device path, when the request named one. */
  path?: string;
  /** Why it was refused, or the error onRequest threw. */
  reason?: string;
}

export interface HttpConnectionRequestOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: an ephemeral port, see {@link HttpConnectionRequestListener.port}. */
  port?: number;
  realm?: string;
  /** At most one accepted request per device per this many ms (default 5000; 0 = no limit). */
  minIntervalMs?: number;
  /** A nonce older than this is stale (default 60 000). */
  nonceLifetimeMs?: number;
  /** Also accept Basic credentials (GenieACS has an option to send them). Default false: Digest only. */
  allowBasic?: boolean;
  /** Clock, for tests. */
  now?: () => number;
  /** Every request's outcome, for logs and counters. */
  onEvent?: (event: HttpCrEvent) => void;
}

interface Entry {
  readonly target: ConnectionRequestTarget;
  lastAcceptedMs: number;
}

type AuthVerdict = { ok: true } | { ok: false; reason: string; stale?: boolean };

const OUTCOMES: readonly HttpCrOutcome[] = ['accepted', 'unauthorized', 'rate-limited', 'not-found', 'bad-method', 'bad-request'];

export class HttpConnectionRequestListener {
  /** Requests per outcome since start. */
  readonly stats = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<HttpCrOutcome, number>;
  private readonly devices = new Map<string, Entry>();
  private readonly server: http.Server;
  private readonly nonces: NonceBook;
  private readonly now: () => number;

  constructor(private readonly options: HttpConnectionRequestOptions = {}) {
    this.now = options.now ?? Date.now;
    this.nonces = new NonceBook(options.nonceLifetimeMs ?? 60_000, this.now);
    this.server = http.createServer({ requestTimeout: 10_000, headersTimeout: 5_000 }, (req, res) => this.handle(req, res));
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => this.clientError(err, socket));
  }

  /** Starts listening; resolves with the port. */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve(this.port);
      });
    });
  }

  get port(): number {
    return (this.server.address() as AddressInfo | null)?.port ?? 0;
  }

  /** The ConnectionRequestURL of a registered path. */
  url(path: string): string {
    return `http://${this.options.host ?? '127.0.0.1'}:${this.port}${normalise(path)}`;
  }

  /** Serves connection requests for one device at `path` (e.g. "/cr/00AA11-Box-S1"); returns its unregister function. */
  register(path: string, target: ConnectionRequestTarget): () => void {
    const key = normalise(path);
    const entry: Entry = { target, lastAcceptedMs: -Infinity };
    this.devices.set(key, entry);
    return () => {
      if (this.devices.get(key) === entry) this.devices.delete(key);
    };
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    req.resume();
    try {
      this.route(req, res);
    } catch (err) {
      // A bug, not the client's fault; answer and keep serving.
      if (!res.headersSent) this.reply(res, 500, { outcome: 'bad-request', reason: (err as Error).message });
    }
  }

  private route(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = pathOf(req.url ?? '');
    if (path === null) return this.reply(res, 400, { outcome: 'bad-request', reason: 'unreadable request target' });
    const entry = this.devices.get(path);
    if (!entry) return this.reply(res, 404, { outcome: 'not-found', path });
    if (req.method !== 'GET') return this.reply(res, 405, { outcome: 'bad-method', path, reason: req.method }, { Allow: 'GET' });
    const verdict = this.authenticate(req, path, entry.target);
    if (!verdict.ok) {
      const challenge = this.challenge(verdict.stale ?? false);
      return this.reply(res, 401, { outcome: 'unauthorized', path, reason: verdict.reason }, { 'WWW-Authenticate': challenge });
    }
    const now = this.now();
    const wait = entry.lastAcceptedMs + (this.options.minIntervalMs ?? 5_000) - now;
    if (wait > 0) {
      const retryAfter = String(Math.ceil(wait / 1000));
      return this.reply(res, 503, { outcome: 'rate-limited', path }, { 'Retry-After': retryAfter });
    }
    entry.lastAcceptedMs = now;
    this.reply(res, 200, { outcome: 'accepted', path });
    try {
      entry.target.onRequest();
    } catch (err) {
      this.options.onEvent?.({ outcome: 'accepted', path, reason: `onRequest threw: ${(err as Error).message}` });
    }
  }

  private reply(res: http.ServerResponse, status: number, event: HttpCrEvent, headers: Record<string, string> = {}): void {
    this.stats[event.outcome]++;
    res.writeHead(status, { ...headers, 'Content-Length': '0' });
    res.end();
    this.options.onEvent?.(event);
  }

  private challenge(stale: boolean): string {
    const realm = this.options.realm ?? 'acs-sim';
    return `Digest realm="${realm}", qop="auth", nonce="${this.nonces.issue()}", algorithm=MD5${stale ? ', stale=true' : ''}`;
  }

  private authenticate(req: http.IncomingMessage, path: string, target: ConnectionRequestTarget): AuthVerdict {
    const header = req.headers.authorization;
    if (!header) return { ok: false, reason: 'no Authorization header' };
    const space = header.indexOf(' ');
    const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
    const rest = space < 0 ? '' : header.slice(space + 1);
    if (scheme === 'digest') return this.verifyDigest(parseAuthParams(rest), req, path, target);
    if (scheme === 'basic' && this.options.allowBasic) return verifyBasic(rest, target);
    return { ok: false, reason: `${scheme} authentication not accepted` };
  }

  private verifyDigest(p: Record<string, string>, req: http.IncomingMessage, path: string, target: ConnectionRequestTarget): AuthVerdict {
    if (!p.nonce || !p.response || !p.uri || p.username === undefined) return { ok: false, reason: 'incomplete Digest header' };
    if (p.qop !== 'auth' || !/^[0-9a-f]{8}$/i.test(p.nc ?? '') || !p.cnonce) return { ok: false, reason: 'qop=auth with nc and cnonce required' };
    if (p.realm !== (this.options.realm ?? 'acs-sim')) return { ok: false, reason: `wrong realm "${p.realm}"` };
    if (p.uri !== req.url && pathOf(p.uri) !== path) return { ok: false, reason: `uri "${p.uri}" is not the request's` };
    const nonce = this.nonces.check(p.nonce);
    if (nonce === 'bad') return { ok: false, reason: 'nonce not issued here' };
    const want = digestResponse(p, target.password, 'GET');
    if (p.username !== target.username || !want || !safeEqual(p.response.toLowerCase(), want)) {
      return { ok: false, reason: 'wrong username or password' };
    }
    if (nonce === 'stale') return { ok: false, reason: 'stale nonce', stale: true };
    if (!this.nonces.use(p.nonce, parseInt(p.nc, 16))) return { ok: false, reason: `replayed nc ${p.nc}` };
    return { ok: true };
  }

  private clientError(err: NodeJS.ErrnoException, socket: Socket): void {
    this.stats['bad-request']++;
    this.options.onEvent?.({ outcome: 'bad-request', reason: err.code ?? err.message });
    if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  }
}

function verifyBasic(token: string, target: ConnectionRequestTarget): AuthVerdict {
  const decoded = Buffer.from(token.trim(), 'base64').toString('utf8');
  const ok = safeEqual(decoded, `${target.username}:${target.password}`);
  return ok ? { ok: true } : { ok: false, reason: 'wrong username or password' };
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function normalise(path: string): string {
  return path.startsWith('/') ? path : '/' + path;
}

/** The path of an origin-form ("/a?b") or absolute-form ("http://h/a") request target; null if neither. */
function pathOf(target: string): string | null {
  if (target.startsWith('/')) {
    const q = target.indexOf('?');
    return q < 0 ? target : target.slice(0, q);
  }
  if (!/^https?:\/\//i.test(target)) return null;
  try {
    return new URL(target).pathname;
  } catch {
    return null;
  }
}
