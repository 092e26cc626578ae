/**
 * The web UI's sign-in and users: POST /sign-in {name, password} or {token}
 * (anonymous; sets the HttpOnly session cookie and answers the CSRF token),
 * GET /session (who am I), POST /sign-out; GET/POST /users, DELETE
 * /users/:name and PUT /users/:name/password (admin).
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { SqlAccess } from '../../db/types';
import { AcsError } from '../../errors';
import type { Logger } from '../../log';
import { apiRouter, defineRoute } from '../api/route';
import { recordAudit } from './audit';
import { tokenOf } from './guard';
import { SignInThrottle } from './sign-in-throttle';
import { checkSameOrigin, clearSessionCookie, sessionSecretOf, setSessionCookie, uiSessionOf } from './session-guard';
import { SCOPES, type TokenStore } from './tokens';
import { principalName, type PrincipalKind, type UiSessionStore } from './ui-sessions';
import type { UserStore } from './users';

export interface SessionRouteDeps {
  users: UserStore;
  sessions: UiSessionStore;
  tokens: TokenStore;
  sql: SqlAccess;
  log: Logger;
}

// One flat object, not a union: a bad field is named as it is in any other body.
const signIn = z
  .object({
    name: z.string().max(128).optional().meta({ description: 'a user\'s name (with password)' }),
    password: z.string().max(1024).optional(),
    token: z.string().max(256).optional().meta({ description: 'an API token, instead of name and password' }),
  })
  .meta({ example: { name: 'alice', password: 'correct horse battery' } });

const newUser = z
  .object({
    name: z.string().min(1).max(128).meta({ description: 'letters, digits, . _ @ - (not first)' }),
    role: z.enum(SCOPES, { error: `must be one of ${SCOPES.join(', ')}` }),
    password: z.string().meta({ description: 'at least 8 characters' }),
  })
  .meta({ example: { name: 'alice', role: 'write', password: 'correct horse battery' } });

const newPassword = z.object({ password: z.string() }).meta({ example: { password: 'correct horse battery' } });

/** Refuses an attempt past the throttle's limit (429 with Retry-After), before anything is checked. */
function throttle(ctx: Context, throttled: SignInThrottle, name: string | null): void {
  const seconds = Math.ceil(throttled.waitMs(name, ctx.ip) / 1000);
  if (seconds === 0) return;
  ctx.set('Retry-After', String(seconds));
  throw new AcsError('ACS_ERR_RATE_LIMITED', `too many failed sign-ins${name === null ? '' : ` for ${name}`} or from ${ctx.ip}: try again in ${seconds} s`);
}

/** Who signs in: the user whose password it is, or the live token; 401 otherwise (which of the two is not said). */
async function principalOf(d: SessionRouteDeps, body: z.output<typeof signIn>): Promise<{ kind: PrincipalKind; name: string; scope: string }> {
  if (body.token !== undefined) {
    const token = await d.tokens.find(body.token);
    if (!token) throw new AcsError('ACS_ERR_SIGN_IN', 'unknown or revoked API token');
    return { kind: 'token', name: token.name, scope: token.scope };
  }
  if (body.name === undefined || body.password === undefined) throw new AcsError('ACS_ERR_BAD_REQUEST', 'sign in with name and password, or token');
  const user = await d.users.verify(body.name, body.password);
  if (!user) throw new AcsError('ACS_ERR_SIGN_IN', 'wrong user name or password');
  return { kind: 'user', name: user.name, scope: user.role };
}

/** POST /sign-in: throttled, checked, a session opened and its cookie set; every attempt audited. */
async function signInOf(d: SessionRouteDeps, throttled: SignInThrottle, ctx: Context, body: z.output<typeof signIn>): Promise<void> {
  // A token is 32 random bytes: its guesses are limited by address only.
  const name = body.token === undefined ? body.name ?? '' : null;
  try {
    checkSameOrigin(ctx);
    throttle(ctx, throttled, name);
    const who = await principalOf(d, body).catch((err: { code?: string }) => {
      if (err.code === 'ACS_ERR_SIGN_IN') throttled.failed(name, ctx.ip);
      throw err;
    });
    const { secret, csrf, expiresAt } = await d.sessions.open(who.kind, who.name);
    setSessionCookie(ctx, secret);
    ctx.body = { name: principalName(who.kind, who.name), scope: who.scope, csrf, expiresAt };
    auditSignIn(d, ctx, principalName(who.kind, who.name), 200, null);
  } catch (err) {
    const e = err as { status?: number; message: string };
    // The name tried goes in the message: the audit's name column is for who was let in.
    auditSignIn(d, ctx, null, e.status ?? 500, name === null ? e.message : `${e.message} (user ${name || '-'})`);
    throw err;
  }
}

/** Sign-ins are anonymous to the guard, which audits only authenticated requests: each attempt is audited here. */
function auditSignIn(d: SessionRouteDeps, ctx: Context, name: string | null, status: number, message: string | null): void {
  const entry = { time: Date.now(), token: name, method: ctx.method, route: '/sign-in', target: ctx.url, status, message };
  recordAudit(d.sql, entry).catch((err: unknown) => d.log.error({ err, entry }, 'audit entry not stored'));
}

function whoAmI(ctx: Context): { name: string; scope: string; csrf: string | null; expiresAt: number | null } {
  const principal = tokenOf(ctx);
  if (!principal) throw new AcsError('ACS_ERR_TOKEN', 'not signed in');
  const session = uiSessionOf(ctx);
  return { name: principal.name, scope: principal.scope, csrf: session?.csrf ?? null, expiresAt: session?.expiresAt ?? null };
}

function sessionRoutesOf(d: SessionRouteDeps) {
  const throttled = new SignInThrottle();
  return [
    defineRoute({
      method: 'post',
      path: '/sign-in',
      summary: 'Sign in to the web UI with a user\'s password or an API token',
      description: 'Sets the HttpOnly, SameSite=Strict session cookie; writes with it need the answer\'s `csrf` in the X-ACS-CSRF header.',
      body: signIn,
      responses: { 200: '{name, scope, csrf, expiresAt}', 401: 'wrong name, password or token (ACS_ERR_SIGN_IN)', 429: 'too many failed sign-ins for the name or from the address in the last minute' },
      handle: (ctx, { body }) => signInOf(d, throttled, ctx, body),
    }),
    defineRoute({
      method: 'get',
      path: '/session',
      summary: 'Who the request acts as: name, scope, and the session\'s CSRF token when signed in with the cookie',
      responses: { 200: '{name, scope, csrf, expiresAt}' },
      handle: (ctx) => {
        ctx.body = whoAmI(ctx);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/sign-out',
      summary: 'End the web UI session of the cookie',
      responses: { 204: 'signed out' },
      handle: async (ctx) => {
        const secret = sessionSecretOf(ctx);
        if (secret !== undefined) await d.sessions.close(secret);
        clearSessionCookie(ctx);
        ctx.status = 204;
      },
    }),
  ];
}

function userRoutesOf(d: SessionRouteDeps) {
  return [
    defineRoute({
      method: 'get',
      path: '/users',
      summary: 'Web UI users (never their passwords)',
      responses: { 200: 'the users: name, role, createdAt, createdBy' },
      handle: async (ctx) => {
        ctx.body = await d.users.list();
      },
    }),
    defineRoute({
      method: 'post',
      path: '/users',
      summary: 'Create a web UI user',
      body: newUser,
      responses: { 201: 'the user', 409: 'the name is taken' },
      handle: async (ctx, { body }) => {
        ctx.status = 201;
        ctx.body = await d.users.create(body.name, body.role, body.password, tokenOf(ctx)?.name ?? 'unknown');
      },
    }),
    defineRoute({
      method: 'put',
      path: '/users/:name/password',
      summary: 'Set a web UI user\'s password (its sessions go on)',
      body: newPassword,
      responses: { 204: 'set', 404: 'no such user' },
      handle: async (ctx, { params, body }) => {
        await d.users.setPassword(params.name, body.password);
        ctx.status = 204;
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/users/:name',
      summary: 'Delete a web UI user, ending its sessions',
      responses: { 204: 'deleted', 404: 'no such user' },
      handle: async (ctx, { params }) => {
        await d.users.remove(params.name);
        ctx.status = 204;
      },
    }),
  ];
}

export function sessionRoutes(d: SessionRouteDeps): Router {
  return apiRouter([...sessionRoutesOf(d), ...userRoutesOf(d)]);
}
