/**
 * Orders from an order system: POST /orders {id, device, service} (201 new;
 * 200 the same order again; 409 another body under a taken id), GET
 * /orders/:id, GET /orders?status=&limit=, PUT /orders/:id (replace a pending
 * order), DELETE /orders/:id (cancel). The schemas here give the shapes; the
 * service checks the rest (one of id or serialNumber, that the provision or
 * workflow exists, the arguments it takes).
 */
import type Router from '@koa/router';
import { z } from 'zod';
import { AcsError } from '../errors';
import { apiRouter, defineRoute } from '../nbi/api/route';
import { enumQuery, intQuery } from '../nbi/api/schemas';
import type { Orders } from './service';

const STATUSES = ['pending', 'applying', 'applied', 'failed', 'cancelled'] as const;

const idError = 'must be 1 to 128 characters: letters, digits, . _ : @ -';
const orderId = z.string({ error: idError }).min(1, { error: idError }).max(128, { error: idError });

const device = z.object(
  { id: z.string().min(1).max(255).optional(), oui: z.string().min(1).max(64).optional(), serialNumber: z.string().min(1).max(64).optional() },
  { error: 'must be { id } or { oui, serialNumber } or { serialNumber }' },
).meta({ description: 'the device: its ACS id, or its serial number (with its OUI when serials may clash)' });

const service = z.object(
  {
    provision: z.string().optional(),
    preset: z.string().optional().meta({ description: 'a preset: its provisions run once, with the arguments it gives (no args here)' }),
    workflow: z.string().optional(),
    args: z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]).optional()
      .meta({ description: 'a provision\'s arguments (strings, numbers, booleans), or a workflow\'s (an object)' }),
  },
  { error: 'must be { provision, args }, { preset } or { workflow, args }' },
).meta({ description: 'what to apply: a provision, a preset or a workflow, by name' });

const example = { device: { serialNumber: 'SN0001' }, service: { provision: 'set-ssid', args: ['home'] } };
const order = z.object({ id: orderId, device, service }).meta({ example: { id: 'ord-1', ...example } });
const replacement = z.object({ device, service }).meta({ example });
const orderParams = z.object({ id: z.string() });

export function orderRoutes(orders: Orders): Router {
  return apiRouter([
    defineRoute({
      method: 'post',
      path: '/orders',
      summary: 'Place an order (idempotent by its id)',
      body: order,
      responses: { 201: 'the new order', 200: 'the same order, placed before', 409: 'another order has this id' },
      handle: async (ctx, { body }) => {
        const { order: placed, created } = await orders.create(body);
        ctx.status = created ? 201 : 200;
        ctx.body = placed;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/orders',
      summary: 'Orders, newest first',
      query: z.object({ status: enumQuery(STATUSES), limit: intQuery(1, 1000, 100) }),
      responses: { 200: 'the orders' },
      handle: async (ctx, { query }) => {
        ctx.body = await orders.list(query.status, query.limit);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/orders/:id',
      summary: 'One order',
      params: orderParams,
      responses: { 200: 'the order', 404: 'no such order' },
      handle: async (ctx, { params }) => {
        const found = await orders.get(params.id);
        if (!found) throw new AcsError('ACS_ERR_NOT_FOUND', `no order ${params.id}`);
        ctx.body = found;
      },
    }),
    defineRoute({
      method: 'put',
      path: '/orders/:id',
      summary: 'Replace a pending order',
      params: orderParams,
      body: replacement,
      responses: { 200: 'the order', 404: 'no such order', 409: 'the order is no longer pending' },
      handle: async (ctx, { params, body }) => {
        ctx.body = await orders.replace(params.id, body);
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/orders/:id',
      summary: 'Cancel an order',
      params: orderParams,
      responses: { 200: 'the cancelled order', 404: 'no such order', 409: 'the order is finished' },
      handle: async (ctx, { params }) => {
        ctx.body = await orders.cancel(params.id);
      },
    }),
  ]);
}
