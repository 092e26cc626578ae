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
import Router from '@koa/router';
import { AcsError } from '../../errors';
import type { TaskService } from '../../tasks/service';
import { isFinished } from '../../tasks/service';
import { MAX_IDEMPOTENCY_KEY, type Task } from '../../tasks/types';
import { jsonBody } from '../json-body';
import { checkDeviceId, flagParam, intParam, oneOf, pathParams, timeParam } from '../params';

const STATUSES = ['queued', 'sent', 'done', 'fault', 'expired', 'cancelled'] as const;
/** Longest ?timeout= a request may hold its connection: past it the task is answered as queued (202). */
const MAX_WAIT_MS = 120_000;

export function taskRoutes(tasks: TaskService): Router {
  const router = new Router();
  router.post('/devices/:id/tasks', async (ctx) => {
    const [device] = pathParams(ctx, ['id']);
    checkDeviceId(device);
    const timeoutMs = intParam(ctx.query.timeout, 'timeout', 0, MAX_WAIT_MS);
    const connectionRequest = flagParam(ctx.query.connection_request, 'connection_request');
    const timing = { due: timeParam(ctx.query.due, 'due'), expiry: timeParam(ctx.query.expiry, 'expiry') };
    const idempotencyKey = idempotencyKeyHeader(ctx.get('Idempotency-Key'));
    const created = await tasks.createAndConnect(device, await jsonBody(ctx), { ...timing, connectionRequest, idempotencyKey });
    const task = timeoutMs > 0 ? ((await tasks.waitFinished(created.task.id, timeoutMs)) ?? created.task) : created.task;
    if (!created.created) ctx.set('Idempotent-Replayed', 'true');
    ctx.status = isFinished(task) ? 200 : 202;
    ctx.body = { ...view(task), ...(connectionRequest ? { connectionRequest: created.connectionRequest } : {}) };
  });
  router.get('/devices/:id/tasks', async (ctx) => {
    const [device] = pathParams(ctx, ['id']);
    ctx.body = (await tasks.list({ device, ...listQuery(ctx.query) })).map(view);
  });
  router.get('/tasks', async (ctx) => {
    const device = typeof ctx.query.device === 'string' ? ctx.query.device : undefined;
    ctx.body = (await tasks.list({ ...(device === undefined ? {} : { device }), ...listQuery(ctx.query) })).map(view);
  });
  router.get('/tasks/:id', async (ctx) => {
    const task = await tasks.get(taskId(pathParams(ctx, ['id'])[0]));
    if (!task) throw new AcsError('ACS_ERR_NOT_FOUND', `no task with id ${pathParams(ctx, ['id'])[0]}`);
    ctx.body = view(task);
  });
  router.delete('/tasks/:id', async (ctx) => {
    ctx.body = view(await tasks.cancel(taskId(pathParams(ctx, ['id'])[0])));
  });
  router.post('/tasks/:id/retry', async (ctx) => {
    ctx.body = view(await tasks.retry(taskId(pathParams(ctx, ['id'])[0])));
  });
  return router;
}

function listQuery(query: Record<string, unknown>) {
  const status = oneOf(query.status, 'status', STATUSES);
  const before = query.before === undefined ? undefined : intParam(query.before, 'before', 0, Number.MAX_SAFE_INTEGER);
  return { limit: intParam(query.limit, 'limit', 100, 1000, 1), ...(status ? { status } : {}), ...(before === undefined ? {} : { before }) };
}

/** Koa gives '' for an absent header: no key. */
function idempotencyKeyHeader(raw: string): string | undefined {
  if (raw === '') return undefined;
  if (raw.length > MAX_IDEMPOTENCY_KEY) throw new AcsError('ACS_ERR_BAD_REQUEST', `Idempotency-Key header must be at most ${MAX_IDEMPOTENCY_KEY} characters (got ${raw.length})`);
  return raw;
}

function taskId(raw: string): number {
  const id = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(id)) throw new AcsError('ACS_ERR_BAD_REQUEST', `task id must be a positive integer, not ${JSON.stringify(raw)}`);
  return id;
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
