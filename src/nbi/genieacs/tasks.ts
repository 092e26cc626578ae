/**
 * GenieACS's task routes over our tasks (src/tasks/service.ts):
 *
 * - POST /devices/:id/tasks[?connection_request][&timeout=ms]: the body is a
 *   GenieACS task ({"name": "download", "file": "fw.bin"} ...). With
 *   connection_request the device is asked to connect and the task waited
 *   for (timeout, default 3000 ms): 200 when it is done; 202 otherwise, the
 *   reason in the status line ("Connection request error: …", "Task
 *   faulted", "Task queued but not processed").
 *   A download naming a `file` without `fileType` takes the file's, as
 *   GenieACS does (the metadata given when it was stored).
 * - GET /tasks/?query=: the tasks GenieACS would still hold: queued, sent,
 *   and faulted ones (with `fault`); done ones are gone, as there.
 * - DELETE /tasks/:id: a queued, sent or faulted task is cancelled (gone
 *   from the list). POST /tasks/:id/retry: a faulted one is queued again.
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { moveTask } from '../../db/tasks';
import type { SqlAccess } from '../../db/types';
import { AcsError } from '../../errors';
import type { FileService } from '../../files';
import type { TaskService } from '../../tasks/service';
import type { Task, TaskStatus } from '../../tasks/types';
import { apiRouter, defineRoute } from '../api/route';
import { deviceId, flagQuery, intQuery, serialId } from '../api/schemas';
import { docListQuery, pageOf } from './doc-page';
import { docQueryOf, equalityOf, type Doc, type Json } from './doc-query';

/** What GenieACS's examples pass as ?timeout=. */
const DEFAULT_WAIT_MS = 3_000;
const MAX_WAIT_MS = 120_000;
/** The statuses of a task GenieACS would still hold. */
const HELD: readonly TaskStatus[] = ['queued', 'sent', 'fault'];
const MAX_LISTED = 1000;
/** The device was asked, or had been (its session is still to come), or is in session (asked once it is over). */
const ASKED = new Set(['ok', 'udp-sent', 'already-asked', 'in-session']);

/** A task as GenieACS shows one: its own fields, `_id`, `device`, `name`, `timestamp`, and `fault` once faulted. */
export function taskDocument(task: Task): Doc {
  const doc: Doc = { ...(task.args as Doc), _id: String(task.id), device: task.device, name: task.name, timestamp: new Date(task.createdAt).toISOString() };
  if (task.fault) {
    doc.fault = { code: task.fault.code, message: task.fault.message, ...(task.fault.detail ? { detail: task.fault.detail as unknown as Json } : {}), timestamp: new Date(task.updatedAt).toISOString() };
  }
  if (task.retries > 0) doc.retries = task.retries;
  return doc;
}

/** A status line's reason phrase carries no control or non-Latin-1 characters. */
function reason(ctx: Context, status: number, text: string): void {
  ctx.status = status;
  ctx.message = text.replace(/[^\x20-\x7e]/g, ' ').slice(0, 200);
}

/** The tasks the query may match: one device's, or everyone's, in creation order. */
async function heldTasks(tasks: TaskService, query: Doc): Promise<Task[]> {
  const id = equalityOf(query, '_id');
  if (id !== undefined) {
    const task = /^\d{1,15}$/.test(id) ? await tasks.get(Number(id)) : null;
    return task && HELD.includes(task.status) ? [task] : [];
  }
  const device = equalityOf(query, 'device');
  const lists = await Promise.all(HELD.map((status) => tasks.list({ device, status, limit: MAX_LISTED })));
  return lists.flat().sort((a, b) => a.id - b.id);
}

/** A download's body with the fileType of the stored file it names, when it gives none. */
async function withFileType(files: FileService, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const name = body.file ?? body.fileName;
  if (body.name !== 'download' || body.fileType !== undefined || typeof name !== 'string') return body;
  const stored = await files.store.getFile(name);
  if (stored === null) throw new AcsError('ACS_ERR_BAD_REQUEST', `${body.file === undefined ? 'fileName' : 'file'}: no file named ${JSON.stringify(name)} in the file store`);
  return stored.file.fileType === undefined ? body : { ...body, fileType: stored.file.fileType };
}

async function cancel(sql: SqlAccess, tasks: TaskService, id: number): Promise<Task> {
  const moved = await sql.transaction((db) => moveTask(db, id, HELD, 'cancelled', Date.now()));
  const task = await tasks.get(id);
  if (!moved || !task) throw new AcsError('ACS_ERR_NOT_FOUND', `no task with id ${id} (done and cancelled tasks are gone)`);
  return task;
}

export function taskRoutes(tasks: TaskService, sql: SqlAccess, files: FileService): Router {
  return apiRouter([
    defineRoute({
      method: 'post',
      path: '/devices/:id/tasks',
      summary: 'Queue a task (GenieACS shape), and ask the device to connect',
      params: z.object({ id: deviceId }),
      query: z.object({ connection_request: flagQuery, timeout: intQuery(0, MAX_WAIT_MS) }),
      body: z.looseObject({ name: z.string() }),
      responses: { 200: 'the task, done', 202: 'the task, still to run or faulted', 404: 'no such device' },
      handle: async (ctx, { params, query, body }) => {
        const connectionRequest = query.connection_request;
        const wait = query.timeout ?? (connectionRequest ? DEFAULT_WAIT_MS : 0);
        const deadline = Date.now() + wait;
        // Unlike GenieACS, a CPE's 503 (rate limit) is asked again within the wait before it is reported.
        const created = await tasks.createAndConnect(params.id, await withFileType(files, body), { connectionRequest, waitMs: wait });
        const asked = created.connectionRequest;
        ctx.body = taskDocument(created.task);
        if (asked && !ASKED.has(asked.outcome)) return reason(ctx, 202, `Connection request error: ${asked.message}`);
        const task = wait > 0 ? ((await tasks.waitFinished(created.task.id, Math.max(1, deadline - Date.now()))) ?? created.task) : created.task;
        ctx.body = taskDocument(task);
        if (task.status === 'done') ctx.status = 200;
        else reason(ctx, 202, task.status === 'fault' ? 'Task faulted' : 'Task queued but not processed');
      },
    }),
    defineRoute({
      method: 'get',
      path: '/tasks',
      summary: 'Queued, sent and faulted tasks',
      query: docListQuery(MAX_LISTED),
      responses: { 200: 'the tasks' },
      handle: async (ctx, { query }) => {
        const q = docQueryOf(query.query);
        ctx.body = pageOf((await heldTasks(tasks, q.query)).map(taskDocument).filter(q.matches), query);
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/tasks/:id',
      summary: 'Delete (cancel) a task',
      params: z.object({ id: serialId }),
      responses: { 200: 'deleted', 404: 'no such task' },
      handle: async (ctx, { params }) => {
        await cancel(sql, tasks, params.id);
        ctx.status = 200;
      },
    }),
    defineRoute({
      method: 'post',
      path: '/tasks/:id/retry',
      summary: 'Retry a faulted task at the next session',
      params: z.object({ id: serialId }),
      responses: { 200: 'queued again', 404: 'no such task', 409: 'the task has not faulted' },
      handle: async (ctx, { params }) => {
        await tasks.retry(params.id);
        ctx.status = 200;
      },
    }),
  ], 'ignored');
}
