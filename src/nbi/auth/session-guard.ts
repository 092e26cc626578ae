/**
 * The web UI's side of the REST API's gate (guard.ts): a request without an
 * Authorization header may authenticate with its session cookie. A write so
 * authenticated must prove it comes from the UI's own page (CSRF): the
 * session's token in X-ACS-CSRF (a header another site's form cannot set),
 * and no Origin or Sec-Fetch-Site naming another site. The cookie is
 * SameSite=Strict besides.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import { AcsError } from '../../errors';
import { CSRF_HEADER, SESSION_COOKIE, SESSION_TTL_MS, type UiSession, type UiSessionStore } from './ui-sessions';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function sessionSecretOf(ctx: Context): string | undefined {
  return ctx.cookies.get(SESSION_COOKIE) || undefined;
}

/** The session the guard found for this request (cookie-authenticated requests only). */
export function uiSessionOf(ctx: Context): UiSession | undefined {
  return (ctx.state as { uiSession?: UiSession }).uiSession;
}

export function setSessionCookie(ctx: Context, secret: string): void {
  ctx.cookies.set(SESSION_COOKIE, secret, { httpOnly: true, sameSite: 'strict', secure: ctx.secure, path: '/', maxAge: SESSION_TTL_MS, overwrite: true });
}

export function clearSessionCookie(ctx: Context): void {
  ctx.cookies.set(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'strict', secure: ctx.secure, path: '/', maxAge: 0, overwrite: true });
}

/** Refuses a request that another site's page may have made (a browser says so in Origin and Sec-Fetch-Site). */
export function checkSameOrigin(ctx: Context): void {
  const site = ctx.get('Sec-Fetch-Site');
  if (site !== '' && site !== 'same-origin' && site !== 'none') throw new AcsError('ACS_ERR_CSRF', `a ${site} request may not use the session cookie`);
  const origin = ctx.get('Origin');
  if (origin === '') return;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    host = origin;
  }
  if (host !== ctx.host) throw new AcsError('ACS_ERR_CSRF', `Origin ${origin} is not this server (${ctx.host})`);
}

function sameSecret(given: string, expected: string): boolean {
  const [a, b] = [Buffer.from(given), Buffer.from(expected)];
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The session of the request's cookie, checked for CSRF on writes; 401 when the cookie names no live session. */
export async function cookieSession(ctx: Context, secret: string, sessions: UiSessionStore, now: number): Promise<UiSession> {
  const session = await sessions.find(secret, now);
  if (!session) {
    clearSessionCookie(ctx);
    throw new AcsError('ACS_ERR_TOKEN', 'the session has ended (signed out, expired, or its user or token is gone): sign in again');
  }
  // Known before the CSRF checks: the audit log names whom a forged write tried to act as.
  ctx.state.token = session;
  if (!READS.has(ctx.method)) {
    checkSameOrigin(ctx);
    if (!sameSecret(ctx.get(CSRF_HEADER), session.csrf)) throw new AcsError('ACS_ERR_CSRF', `a write with the session cookie needs the session's ${CSRF_HEADER} header`);
  }
  ctx.state.uiSession = session;
  return session;
}
