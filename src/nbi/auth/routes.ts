/**
 * API tokens and the audit log (scope admin, see guard.ts): GET /tokens,
 * POST /tokens {name, scope} (the token is in this answer only), DELETE
 * /tokens/:name (revoke), GET /audit?token=&before=&limit=.
 */
import Router from '@koa/router';
import type { SqlAccess } from '../../db/types';
import { jsonBody } from '../json-body';
import { intParam, pathParams } from '../params';
import { listAudit } from './audit';
import { tokenOf } from './guard';
import type { TokenStore } from './tokens';

const MAX_PAGE = 1000;

export function authRoutes(tokens: TokenStore, sql: SqlAccess): Router {
  const router = new Router();
  router.get('/tokens', async (ctx) => {
    ctx.body = await tokens.list();
  });
  router.post('/tokens', async (ctx) => {
    const body = (await jsonBody(ctx)) as { name?: unknown; scope?: unknown } | null;
    const { token, info } = await tokens.create(body?.name, body?.scope, tokenOf(ctx)?.name ?? 'unknown');
    ctx.status = 201;
    ctx.body = { ...info, token };
  });
  router.delete('/tokens/:name', async (ctx) => {
    const [name] = pathParams(ctx, ['name']);
    ctx.body = await tokens.revoke(name);
  });
  router.get('/audit', async (ctx) => {
    const token = typeof ctx.query.token === 'string' ? ctx.query.token : undefined;
    const before = ctx.query.before === undefined ? undefined : intParam(ctx.query.before, 'before', 0, Number.MAX_SAFE_INTEGER, 1);
    ctx.body = await listAudit(sql, { token, before, limit: intParam(ctx.query.limit, 'limit', 100, MAX_PAGE, 1) });
  });
  return router;
}
