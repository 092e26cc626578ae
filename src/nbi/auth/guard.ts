/**
 * The REST API's gate: every route but /health needs an API token
 * (`Authorization: Bearer <token>`) whose scope covers the request (reads:
 * read; writes: write; tokens and the audit log: admin), within the token's
 * rate. Every write, and every request refused for its token, goes to the
 * audit log once answered. The web UI's requests authenticate with its
 * session cookie instead (session-guard.ts), as the user or token that signed
 * in, with its role as the scope.
 */
import type { Context, Middleware, Next } from 'koa';
import { AcsError } from '../../errors';
import type { SqlAccess } from '../../db/types';
import type { Logger } from '../../log';
import { recordAudit } from './audit';
import { RateLimiter } from './rate';
import { cookieSession, sessionSecretOf } from './session-guard';
import { allows, hashToken, type ApiToken, type Scope, type TokenStore } from './tokens';
import type { Principal, UiSessionStore } from './ui-sessions';

export interface GuardOptions {
  tokens: TokenStore;
  sql: SqlAccess;
  log: Logger;
  /** Requests per second per token and process (a burst of as many). */
  ratePerSecond: number;
  /** The paths anyone may call; default ANONYMOUS (the metrics server may open /metrics too: METRICS_AUTH=none). */
  anonymous?: ReadonlySet<string>;
  /** The web UI's sessions: without them a session cookie is not looked at (the metrics and GenieACS servers). */
  sessions?: UiSessionStore;
}

/** The routes anyone may call: the probes of load balancers (metrics/routes.ts). */
export const ANONYMOUS: ReadonlySet<string> = new Set(['/health', '/ready', '/sign-in']);
// Webhooks send device data out: only admins may point them somewhere.
const ADMIN_PREFIXES = ['/tokens', '/audit', '/webhooks', '/users'];
// Anyone signed in may end their own session.
const READ_ANY_METHOD = new Set(['/sign-out']);
// Posts that change nothing: lint a text, dry-run provisioning (what a read user may want before asking a writer).
const READ_POSTS = [/^\/lint$/, /^\/devices\/[^/]+\/dry-run$/];
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** How long a token's lookup is trusted: a revoked token stops working within this on every process. */
const CACHE_MS = 5_000;
const CACHE_MAX = 10_000;

export function scopeFor(method: string, path: string): Scope {
  if (ADMIN_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`))) return 'admin';
  return READS.has(method) || READ_ANY_METHOD.has(path) || (method === 'POST' && READ_POSTS.some((re) => re.test(path))) ? 'read' : 'write';
}

/** Who the request acts as, as the guard found it (for routes that record who did something). */
export function tokenOf(ctx: Context): Principal | undefined {
  return (ctx.state as { token?: Principal }).token;
}

export function apiGuard(options: GuardOptions): Middleware {
  const cache = new Map<string, { token: ApiToken | null; until: number }>();
  const rate = new RateLimiter(options.ratePerSecond);
  const anonymous = options.anonymous ?? ANONYMOUS;

  async function lookup(secret: string, now: number): Promise<ApiToken | null> {
    const hash = hashToken(secret);
    const hit = cache.get(hash);
    if (hit && hit.until > now) return hit.token;
    const token = await options.tokens.find(secret);
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(hash, { token, until: now + CACHE_MS });
    return token;
  }

  async function bearer(ctx: Context, now: number): Promise<ApiToken> {
    const header = ctx.get('Authorization');
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new AcsError('ACS_ERR_TOKEN', header ? 'Authorization must be "Bearer <token>"' : 'an API token is required: Authorization: Bearer <token> (acs token create)');
    const token = await lookup(match[1], now);
    if (!token) throw new AcsError('ACS_ERR_TOKEN', 'unknown or revoked API token');
    options.tokens.touch(token.name, now).catch((err: unknown) => options.log.warn({ err }, 'token use not noted'));
    return token;
  }

  /** The Authorization header's token, else the session cookie's principal (when the app has sessions). */
  function principalOf(ctx: Context, now: number): Promise<Principal> {
    const secret = options.sessions && ctx.get('Authorization') === '' ? sessionSecretOf(ctx) : undefined;
    return secret !== undefined && options.sessions ? cookieSession(ctx, secret, options.sessions, now) : bearer(ctx, now);
  }

  async function authorize(ctx: Context, now: number): Promise<Principal> {
    const token = await principalOf(ctx, now);
    ctx.state.token = token;
    const needed = scopeFor(ctx.method, ctx.path);
    if (!allows(token.scope, needed)) throw new AcsError('ACS_ERR_FORBIDDEN', `${token.name} has scope ${token.scope}; ${ctx.method} ${ctx.path} needs ${needed}`);
    if (!rate.take(token.name, now)) {
      ctx.set('Retry-After', '1');
      throw new AcsError('ACS_ERR_RATE_LIMITED', `token ${token.name} is over its ${options.ratePerSecond} requests per second`);
    }
    return token;
  }

  function audit(ctx: Context, time: number, status: number, message: string | null): void {
    // An anonymous request is not worth a row (scanners); one with a wrong token or session is.
    if (ctx.get('Authorization') === '' && (!options.sessions || sessionSecretOf(ctx) === undefined)) return;
    const refused = status === 401 || status === 403 || status === 429;
    if (READS.has(ctx.method) && !refused) return;
    const token = tokenOf(ctx);
    const route = (ctx as { _matchedRoute?: unknown })._matchedRoute;
    const entry = { time, token: token?.name ?? null, method: ctx.method, route: typeof route === 'string' ? route : ctx.path, target: ctx.url, status, message };
    recordAudit(options.sql, entry).catch((err: unknown) => options.log.error({ err, entry }, 'audit entry not stored'));
  }

  return async (ctx: Context, next: Next) => {
    if (anonymous.has(ctx.path)) return next();
    const time = Date.now();
    try {
      await authorize(ctx, time);
      await next();
    } catch (err) {
      const e = err as { status?: unknown; message?: unknown };
      audit(ctx, time, typeof e.status === 'number' ? e.status : 500, String(e.message));
      throw err;
    }
    audit(ctx, time, ctx.status, null);
  };
}
