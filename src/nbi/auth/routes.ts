/**
 * API tokens and the audit log (scope admin, see guard.ts): GET /tokens,
 * POST /tokens {name, scope} (the token is in this answer only), DELETE
 * /tokens/:name (revoke), GET /audit?token=&before=&limit=.
 */
import type Router from '@koa/router';
import { z } from 'zod';
import type { SqlAccess } from '../../db/types';
import { apiRouter, defineRoute } from '../api/route';
import { intQuery, textQuery } from '../api/schemas';
import { listAudit } from './audit';
import { tokenOf } from './guard';
import { SCOPES, type TokenStore } from './tokens';

const MAX_PAGE = 1000;

const newToken = z
  .object({
    // The characters allowed are checked by the store (tokens.ts checkName).
    name: z.string().min(1).max(128).meta({ description: 'letters, digits, . _ @ - (not first); never reused' }),
    scope: z.enum(SCOPES, { error: `must be one of ${SCOPES.join(', ')}` }),
  })
  .meta({ example: { name: 'billing', scope: 'write' } });

export function authRoutes(tokens: TokenStore, sql: SqlAccess): Router {
  return apiRouter([
    defineRoute({
      method: 'get',
      path: '/tokens',
      summary: 'API tokens (never their secrets)',
      responses: { 200: 'the tokens, revoked ones too' },
      handle: async (ctx) => {
        ctx.body = await tokens.list();
      },
    }),
    defineRoute({
      method: 'post',
      path: '/tokens',
      summary: 'Create an API token',
      body: newToken,
      responses: { 201: 'the token, with its secret (shown in this answer only)', 409: 'the name is taken' },
      handle: async (ctx, { body }) => {
        const { token, info } = await tokens.create(body.name, body.scope, tokenOf(ctx)?.name ?? 'unknown');
        ctx.status = 201;
        ctx.body = { ...info, token };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/tokens/:name',
      summary: 'Revoke an API token',
      responses: { 200: 'the revoked token', 404: 'no such token', 409: 'revoked already' },
      handle: async (ctx, { params }) => {
        ctx.body = await tokens.revoke(params.name);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/audit',
      summary: 'The audit log: writes, and requests refused for their token, newest first',
      query: z.object({ token: textQuery, before: intQuery(1, Number.MAX_SAFE_INTEGER), limit: intQuery(1, MAX_PAGE, 100) }),
      responses: { 200: 'the entries' },
      handle: async (ctx, { query }) => {
        ctx.body = await listAudit(sql, query);
      },
    }),
  ]);
}
