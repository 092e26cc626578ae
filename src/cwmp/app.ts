import type { Socket } from 'node:net';
import Koa from 'koa';
import { AcsError } from '../errors';
import { readBody } from './http/body';
import { clientCertificateOf } from './http/client-cert';
import { readCookie, SESSION_COOKIE, sessionCookie } from './http/cookies';
import { shedLoad } from './http/overload';
import type { CwmpPost, SessionDeps } from './session/context';
import { handlePost } from './session/dispatch';
import type { CwmpReply } from './session/replies';

/** What a 503 raised by a request's handling says; the overload guard books its own (see http/overload.ts). */
const RETRY_AFTER_SECONDS = '10';

/**
 * The CPE-facing Koa app. Middleware, in order: overload guard → error
 * rendering → CWMP exchange. The app keeps no session state of its own except
 * which session a TCP connection carries, for CPEs that return no cookie.
 */
export function createCwmpApp(deps: SessionDeps): Koa {
  const app = new Koa({ proxy: deps.config.trustProxy });
  const bySocket = new WeakMap<Socket, string>();
  app.use(shedLoad(deps.config.cwmpMaxConcurrent, bySocket));
  app.use(renderErrors(deps));
  app.use(async (ctx) => {
    if (ctx.method !== 'POST') {
      ctx.status = 405;
      ctx.set('Allow', 'POST');
      ctx.body = 'CWMP expects POST\n';
      return;
    }
    const socket = ctx.req.socket;
    const body = await readBody(ctx.req, deps.config.cwmpMaxBodyBytes);
    const reply = await handlePost(deps, {
      body,
      ...(await findSession(deps, ctx, bySocket.get(socket))),
      remoteAddress: ctx.ip,
      authorization: ctx.get('Authorization') || undefined,
      httpMethod: ctx.method,
      uri: ctx.url,
      clientCert: clientCertificateOf(socket),
    });
    if (reply.ended) bySocket.delete(socket);
    else if (reply.sessionId) bySocket.set(socket, reply.sessionId);
    write(ctx, reply);
  });
  return app;
}

/** The session a POST belongs to: its cookie, else its connection's, else (last resort) its address's latest. */
async function findSession(
  deps: SessionDeps,
  ctx: Koa.Context,
  ofSocket: string | undefined,
): Promise<Pick<CwmpPost, 'sessionId' | 'sessionSource'>> {
  const cookie = readCookie(ctx.get('Cookie'), SESSION_COOKIE);
  if (cookie) return { sessionId: cookie, sessionSource: 'cookie' };
  if (ofSocket) return { sessionId: ofSocket, sessionSource: 'connection' };
  if (!deps.config.cwmpAddressFallback) return { sessionId: null, sessionSource: null };
  const byAddress = await deps.sessions.sessionOfAddress(ctx.ip);
  return { sessionId: byAddress, sessionSource: byAddress ? 'address' : null };
}

function write(ctx: Koa.Context, reply: CwmpReply): void {
  ctx.status = reply.status;
  for (const [k, v] of Object.entries(reply.headers ?? {})) ctx.set(k, v);
  if (reply.sessionId) ctx.set('Set-Cookie', sessionCookie(reply.sessionId));
  if (reply.body !== undefined) {
    ctx.type = reply.contentType ?? 'text/plain';
    ctx.body = reply.body;
  }
}

/** The one place that decides what an error shows a CPE: client errors their message, server errors nothing. */
function renderErrors(deps: SessionDeps): Koa.Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      const e = err as Partial<AcsError> & Error;
      const status = typeof e.status === 'number' ? e.status : 500;
      if (status >= 500) deps.log.error({ err, remoteAddress: ctx.ip }, 'cwmp request failed');
      else deps.log.warn({ remoteAddress: ctx.ip, reason: e.message }, 'cwmp request refused');
      ctx.status = status;
      ctx.type = 'text/plain';
      ctx.body = (status < 500 && e.expose !== false ? e.message : 'internal error') + '\n';
      if (status === 503) ctx.set('Retry-After', RETRY_AFTER_SECONDS);
    }
  };
}
