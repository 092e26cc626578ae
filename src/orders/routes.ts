/**
 * Orders from an order system: POST /orders {id, device, service} (201 new;
 * 200 the same order again; 409 another body under a taken id), GET
 * /orders/:id, GET /orders?status=&limit=, PUT /orders/:id (replace a pending
 * order), DELETE /orders/:id (cancel).
 */
import Router from '@koa/router';
import { AcsError } from '../errors';
import { jsonBody } from '../nbi/json-body';
import { intParam, oneOf, pathParams } from '../nbi/params';
import type { Orders } from './service';

const STATUSES = ['pending', 'applying', 'applied', 'failed', 'cancelled'] as const;

export function orderRoutes(orders: Orders): Router {
  const router = new Router();
  router.post('/orders', async (ctx) => {
    const { order, created } = await orders.create(await jsonBody(ctx));
    ctx.status = created ? 201 : 200;
    ctx.body = order;
  });
  router.get('/orders', async (ctx) => {
    ctx.body = await orders.list(oneOf(ctx.query.status, 'status', STATUSES), intParam(ctx.query.limit, 'limit', 100, 1000, 1));
  });
  router.get('/orders/:id', async (ctx) => {
    const [id] = pathParams(ctx, ['id']);
    const order = await orders.get(id);
    if (!order) throw new AcsError('ACS_ERR_NOT_FOUND', `no order ${id}`);
    ctx.body = order;
  });
  router.put('/orders/:id', async (ctx) => {
    const [id] = pathParams(ctx, ['id']);
    ctx.body = await orders.replace(id, await jsonBody(ctx));
  });
  router.delete('/orders/:id', async (ctx) => {
    const [id] = pathParams(ctx, ['id']);
    ctx.body = await orders.cancel(id);
  });
  return router;
}
