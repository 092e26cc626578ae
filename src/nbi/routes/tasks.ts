/**
 * Task routes, in GenieACS's shapes where it has them: POST
 * /devices/:id/tasks (with ?connection_request and ?timeout=ms), GET /tasks,
 * GET /tasks/:id, DELETE /tasks/:id (cancel), POST /tasks/:id/retry. Unlike
 * GenieACS, finished tasks stay listed with their result or fault.
 *
 * POST answers 200 with a finished task, 202 with one still to run. With an
 * `Idempotency-Key` header (1-128 characters, unique per device) a POST
 * repeated with the same key creates nothing: it answers the task the first
 * one created, as it is now (same 200/202 rule), with `Idempotent-Replayed:
 * true`; ?connection_request is asked again while that task is not finished.
 */
import type Router from '@koa/router';
import { z } from 'zod';
import { AcsError } from '../../errors';
import { TASK_BODY } from '../../tasks/build';
import type { TaskService } from '../../tasks/service';
import { isFinished } from '../../tasks/service';
import { MAX_IDEMPOTENCY_KEY, type Task } from '../../tasks/types';
import { apiRouter, defineRoute } from '../api/route';
import { deviceId, enumQuery, flagQuery, intQuery, serialId, textQuery, timeText } from '../api/schemas';

const STATUSES = ['queued', 'sent', 'done', 'fault', 'expired', 'cancelled'] as const;
/** Longest ?timeout= a request may hold its connection: past it the task is answered as queued (202). */
const MAX_WAIT_MS = 120_000;

/** A task in GenieACS's shape, each type's fields by their shape; what they mean is checked by tasks/build.ts (400 naming the field). */
const taskBody = TASK_BODY.meta({
  description: 'A task in GenieACS\'s shape: its name and that task\'s fields.',
  example: { name: 'getParameterValues', parameterNames: ['Device.DeviceInfo.SoftwareVersion'] },
});

const idempotencyHeaders = z.object({
  'Idempotency-Key': z.string().max(MAX_IDEMPOTENCY_KEY).optional().meta({ description: `1-${MAX_IDEMPOTENCY_KEY} characters, unique per device: a repeated POST answers the task the first one created` }),
});

const listQuery = {
  status: enumQuery(STATUSES),
  before: intQuery(0, Number.MAX_SAFE_INTEGER),
  limit: intQuery(1, 1000, 100),
};

const taskParams = z.object({ id: serialId });

export function taskRoutes(tasks: TaskService): Router {
  return apiRouter([
    defineRoute({
      method: 'post',
      path: '/devices/:id/tasks',
      summary: 'Queue a task for a device',
      description: 'Answers 200 with a finished task, 202 with one still to run. An `Idempotency-Key` header (1-128 characters, unique per device) makes a repeated POST answer the task the first one created, with `Idempotent-Replayed: true`.',
      params: z.object({ id: deviceId }),
      headers: idempotencyHeaders,
      query: z.object({
        timeout: intQuery(0, MAX_WAIT_MS, 0).meta({ description: 'milliseconds to wait for the task to finish' }),
        connection_request: flagQuery.meta({ description: 'ask the device to connect now' }),
        due: timeText.optional(),
        expiry: timeText.optional(),
      }),
      body: taskBody,
      responses: { 200: 'the task, finished', 202: 'the task, still to run', 404: 'no such device' },
      handle: async (ctx, { params, query, headers, body }) => {
        const { timeout, connection_request: connectionRequest, due, expiry } = query;
        const idempotencyKey = headers['Idempotency-Key'];
        const deadline = Date.now() + timeout;
        const created = await tasks.createAndConnect(params.id, body, { due, expiry, connectionRequest, idempotencyKey, waitMs: timeout });
        // The wait includes the connection request's (it may have been asked again after a 503).
        const task = timeout > 0 ? ((await tasks.waitFinished(created.task.id, Math.max(1, deadline - Date.now()))) ?? created.task) : created.task;
        if (!created.created) ctx.set('Idempotent-Replayed', 'true');
        ctx.status = isFinished(task) ? 200 : 202;
        ctx.body = { ...view(task), ...(connectionRequest ? { connectionRequest: created.connectionRequest } : {}) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/devices/:id/tasks',
      summary: 'A device\'s tasks, newest first',
      params: z.object({ id: deviceId }),
      query: z.object(listQuery),
      responses: { 200: 'the tasks' },
      handle: async (ctx, { params, query }) => {
        ctx.body = (await tasks.list({ device: params.id, ...query })).map(view);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/tasks',
      summary: 'Tasks, newest first',
      query: z.object({ device: textQuery, ...listQuery }),
      responses: { 200: 'the tasks' },
      handle: async (ctx, { query }) => {
        ctx.body = (await tasks.list(query)).map(view);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/tasks/:id',
      summary: 'One task',
      params: taskParams,
      responses: { 200: 'the task', 404: 'no such task' },
      handle: async (ctx, { params }) => {
        const task = await tasks.get(params.id);
        if (!task) throw new AcsError('ACS_ERR_NOT_FOUND', `no task with id ${params.id}`);
        ctx.body = view(task);
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/tasks/:id',
      summary: 'Cancel a task',
      params: taskParams,
      responses: { 200: 'the cancelled task', 404: 'no such task', 409: 'the task is finished' },
      handle: async (ctx, { params }) => {
        ctx.body = view(await tasks.cancel(params.id));
      },
    }),
    defineRoute({
      method: 'post',
      path: '/tasks/:id/retry',
      summary: 'Queue a faulted or expired task again',
      params: taskParams,
      responses: { 200: 'the task, queued again', 404: 'no such task', 409: 'the task cannot be retried' },
      handle: async (ctx, { params }) => {
        ctx.body = view(await tasks.retry(params.id));
      },
    }),
  ]);
}

/** A task as the API shows it: GenieACS's fields (`_id`, `device`, `name`, the task's own fields) beside ours. */
function view(task: Task): Record<string, unknown> {
  return {
    ...task.args,
    _id: String(task.id),
    id: task.id,
    device: task.device,
    name: task.name,
    args: task.args,
    status: task.status,
    timestamp: new Date(task.createdAt).toISOString(),
    createdAt: task.createdAt,
    updatedAt: task.updatedAt,
    due: task.due,
    expiry: task.expiry,
    sessionId: task.sessionId,
    result: task.result,
    fault: task.fault,
    retries: task.retries,
    idempotencyKey: task.idempotencyKey,
  };
}
