/**
 * QoE alert rules and alerts on the northbound API (reads: read scope;
 * writes: write scope, as the guard gives every path outside its admin list):
 *
 *   POST   /qoe/alert-rules            create (201; 400 naming the field, an expression's column; 409 name taken)
 *   GET    /qoe/alert-rules?profile=   the rules, by id
 *   GET    /qoe/alert-rules/:id        one
 *   PUT    /qoe/alert-rules/:id        replace (the same body as POST)
 *   DELETE /qoe/alert-rules/:id        remove, with its alerts
 *   GET    /qoe/alerts?rule=&device=&open=&before=&limit=   alerts, newest first
 */
import type Router from '@koa/router';
import { z } from 'zod';
import { AcsError } from '../../errors';
import { apiRouter, defineRoute } from '../../nbi/api/route';
import { deviceId, enumQuery, intQuery, serialId, textQuery } from '../../nbi/api/schemas';
import type { AlertRuleService } from './service';
import { alertRuleBody } from './validate';

const ruleParams = z.object({ id: serialId });

export function qoeAlertRoutes(service: AlertRuleService): Router {
  const found = async (id: number) => {
    const rule = await service.get(id);
    if (!rule) throw new AcsError('ACS_ERR_NOT_FOUND', `no alert rule with id ${id}`);
    return rule;
  };
  return apiRouter([
    defineRoute({
      method: 'post',
      path: '/qoe/alert-rules',
      summary: 'Create an alert rule',
      description: 'An expression over a series of the profile and a window (`rate(WANErrors) > 10/min for 15 min`, `reboots > 3 in 1 day`); raising emits qoe.alert and can start a workflow on the device.',
      body: alertRuleBody,
      responses: { 201: 'the rule', 409: 'a rule of that name exists' },
      handle: async (ctx, { body }) => {
        ctx.body = await service.create(body);
        ctx.status = 201;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/qoe/alert-rules',
      summary: 'The alert rules',
      query: z.object({ profile: textQuery.meta({ description: 'only the rules of this collection profile' }) }),
      responses: { 200: 'the rules, by id' },
      handle: async (ctx, { query }) => {
        ctx.body = await service.list(query.profile);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/qoe/alert-rules/:id',
      summary: 'One alert rule',
      params: ruleParams,
      responses: { 200: 'the rule', 404: 'no such rule' },
      handle: async (ctx, { params }) => {
        ctx.body = await found(params.id);
      },
    }),
    defineRoute({
      method: 'put',
      path: '/qoe/alert-rules/:id',
      summary: 'Replace an alert rule',
      description: 'Its open alerts stay open, and clear at the next evaluation where the new condition does not hold.',
      params: ruleParams,
      body: alertRuleBody,
      responses: { 200: 'the rule', 404: 'no such rule', 409: 'another rule has that name' },
      handle: async (ctx, { params, body }) => {
        await found(params.id);
        ctx.body = await service.replace(params.id, body);
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/qoe/alert-rules/:id',
      summary: 'Remove an alert rule and its alerts',
      params: ruleParams,
      responses: { 204: 'removed', 404: 'no such rule' },
      handle: async (ctx, { params }) => {
        if (!(await service.remove(params.id))) throw new AcsError('ACS_ERR_NOT_FOUND', `no alert rule with id ${params.id}`);
        ctx.status = 204;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/qoe/alerts',
      summary: 'Alerts raised, newest first',
      query: z.object({
        rule: serialId.optional().meta({ description: 'the rule\'s id' }),
        device: deviceId.optional(),
        open: enumQuery(['true', 'false']).meta({ description: 'true: open alerts only; false: cleared ones only' }),
        before: intQuery(1, Number.MAX_SAFE_INTEGER).meta({ description: 'raised before this time (epoch ms): the previous page\'s last raisedAt' }),
        limit: intQuery(1, 1000, 100),
      }),
      responses: { 200: 'the alerts' },
      handle: async (ctx, { query }) => {
        const open = query.open === undefined ? undefined : query.open === 'true';
        ctx.body = await service.alerts({ rule: query.rule, device: query.device, open, before: query.before, limit: query.limit });
      },
    }),
  ]);
}
