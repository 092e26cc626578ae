/**
 * REST routes of workflows (mounted by the NBI app):
 *   GET    /workflows                      the definitions of WORKFLOWS_DIR
 *   POST   /workflows/runs                 { device, workflow, args } → 201 the run
 *   GET    /workflows/runs?device=&status=&workflow=&campaign=&limit=
 *   GET    /workflows/runs/:id
 *   DELETE /workflows/runs/:id             cancel → the run
 */
import type Router from '@koa/router';
import { z } from 'zod';
import { AcsError } from '../errors';
import { apiRouter, defineRoute } from '../nbi/api/route';
import { enumQuery, intQuery, textQuery } from '../nbi/api/schemas';
import type { WorkflowLibrary } from './library';
import { FINAL_RUN_STATUSES, type RunStatus, type WorkflowRunner } from './types';

const STATUSES: [RunStatus, ...RunStatus[]] = ['running', 'waiting', ...FINAL_RUN_STATUSES];

/** The shape of a start; the runner checks the device id, the workflow's existence and its arguments. */
const start = z
  .object(
    {
      device: z.string({ error: 'must be a device id' }).min(1, { error: 'must be a device id' }),
      workflow: z.union([z.string().min(1), z.object({ name: z.string(), definition: z.unknown() })], { error: 'must be a workflow name' })
        .meta({ description: 'a workflow of WORKFLOWS_DIR by name, or an inline { name, definition }' }),
      args: z.record(z.string(), z.unknown()).optional().meta({ description: 'the arguments the workflow declares' }),
    },
    { error: 'must be a JSON object { device, workflow, args }' },
  )
  .meta({ example: { device: '00A0C9-Router-SN0001', workflow: 'ipping', args: { host: 'example.net' } } });

const run = z.object({ id: z.string() });

function mustExist<T>(id: string, found: T | null): T {
  if (found === null) throw new AcsError('ACS_ERR_NOT_FOUND', `no workflow run with id ${id}`);
  return found;
}

export function workflowRoutes(runner: WorkflowRunner, library: WorkflowLibrary): Router {
  return apiRouter([
    defineRoute({
      method: 'get',
      path: '/workflows',
      summary: 'The workflows of WORKFLOWS_DIR',
      responses: { 200: 'each workflow: name, description, args, steps' },
      handle: (ctx) => {
        ctx.body = library.list().map((w) => ({ name: w.name, description: w.description, args: w.args, steps: w.steps.map((s) => ({ name: s.name, kind: s.kind })) }));
      },
    }),
    defineRoute({
      method: 'post',
      path: '/workflows/runs',
      summary: 'Run a workflow on a device',
      body: start,
      responses: { 201: 'the run' },
      handle: async (ctx, { body }) => {
        ctx.status = 201;
        ctx.body = await runner.start(body);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/workflows/runs',
      summary: 'Workflow runs, newest first',
      query: z.object({ device: textQuery, status: enumQuery(STATUSES), workflow: textQuery, campaign: textQuery, limit: intQuery(1, 1000) }),
      responses: { 200: 'the runs' },
      handle: async (ctx, { query }) => {
        ctx.body = await runner.list(query);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/workflows/runs/:id',
      summary: 'One workflow run',
      params: run,
      responses: { 200: 'the run', 404: 'no such run' },
      handle: async (ctx, { params }) => {
        ctx.body = mustExist(params.id, await runner.get(params.id));
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/workflows/runs/:id',
      summary: 'Cancel a workflow run',
      params: run,
      responses: { 200: 'the cancelled run', 404: 'no such run' },
      handle: async (ctx, { params }) => {
        ctx.body = mustExist(params.id, await runner.cancel(params.id));
      },
    }),
  ]);
}
