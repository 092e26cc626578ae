/**
 * REST routes of workflows (mounted by the NBI app):
 *   GET    /workflows                      the definitions of WORKFLOWS_DIR
 *   POST   /workflows/runs                 { device, workflow, args } → 201 the run
 *   GET    /workflows/runs?device=&status=&workflow=&campaign=&limit=
 *   GET    /workflows/runs/:id
 *   DELETE /workflows/runs/:id             cancel → the run
 */
import Router from '@koa/router';
import { AcsError } from '../errors';
import { jsonBody } from '../nbi/json-body';
import type { WorkflowLibrary } from './library';
import { FINAL_RUN_STATUSES, type RunStatus, type WorkflowRunner } from './types';

const STATUSES: readonly RunStatus[] = ['running', 'waiting', ...FINAL_RUN_STATUSES];

function bad(message: string): never {
  throw new AcsError('ACS_ERR_BAD_REQUEST', message);
}

function oneQuery(raw: unknown, name: string): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || raw === '') bad(`query parameter ${name} must be given once, non-empty`);
  return raw;
}

function listFilter(query: Record<string, unknown>): { device?: string; status?: RunStatus; workflow?: string; campaign?: string; limit?: number } {
  const status = oneQuery(query.status, 'status');
  if (status !== undefined && !(STATUSES as readonly string[]).includes(status)) bad(`query parameter status must be one of ${STATUSES.join(', ')}`);
  const limitText = oneQuery(query.limit, 'limit');
  const limit = limitText === undefined ? undefined : Number(limitText);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 1000)) bad('query parameter limit must be an integer from 1 to 1000');
  return {
    device: oneQuery(query.device, 'device'),
    status: status as RunStatus | undefined,
    workflow: oneQuery(query.workflow, 'workflow'),
    campaign: oneQuery(query.campaign, 'campaign'),
    limit,
  };
}

export function workflowRoutes(runner: WorkflowRunner, library: WorkflowLibrary): Router {
  const router = new Router();
  router.get('/workflows', (ctx) => {
    ctx.body = library.list().map((w) => ({ name: w.name, description: w.description, args: w.args, steps: w.steps.map((s) => ({ name: s.name, kind: s.kind })) }));
  });
  router.post('/workflows/runs', async (ctx) => {
    const body = await jsonBody(ctx);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) bad('body must be a JSON object { device, workflow, args }');
    const b = body as Record<string, unknown>;
    if (typeof b.device !== 'string' || b.device === '') bad('device must be a device id');
    if (typeof b.workflow !== 'string' && (typeof b.workflow !== 'object' || b.workflow === null)) bad('workflow must be a workflow name');
    ctx.status = 201;
    ctx.body = await runner.start({ device: b.device, workflow: b.workflow as string, args: b.args as Record<string, unknown> | undefined });
  });
  router.get('/workflows/runs', async (ctx) => {
    ctx.body = await runner.list(listFilter(ctx.query));
  });
  router.get('/workflows/runs/:id', async (ctx) => {
    const run = await runner.get(ctx.params.id);
    if (!run) throw new AcsError('ACS_ERR_NOT_FOUND', `no workflow run with id ${ctx.params.id}`);
    ctx.body = run;
  });
  router.delete('/workflows/runs/:id', async (ctx) => {
    const run = await runner.cancel(ctx.params.id);
    if (!run) throw new AcsError('ACS_ERR_NOT_FOUND', `no workflow run with id ${ctx.params.id}`);
    ctx.body = run;
  });
  return router;
}
