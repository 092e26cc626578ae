/**
 * GenieACS's device routes: GET /devices/?query=&projection=&sort=&skip=&limit=
 * (HEAD: the count in a `total` header), DELETE /devices/:id, POST and
 * DELETE /devices/:id/tags/:tag. The search is ours (../search.ts,
 * ../sort.ts, db/device-query.ts): GenieACS's JSON query and sort read as
 * our API reads them. As GenieACS, no limit means every match: the answer
 * streams a page of documents at a time.
 */
import { Readable } from 'node:stream';
import type Router from '@koa/router';
import { z } from 'zod';
import { queryDevicePage, streamDevices, type CompiledDeviceQuery } from '../../db/device-query';
import type { Position, SortKey } from '../../db/device-order';
import type { DeviceKey, DeviceStore, SqlAccess } from '../../db/types';
import { AcsError } from '../../errors';
import { apiRouter, defineRoute } from '../api/route';
import { deviceId, intQuery } from '../api/schemas';
import { compiledSearchOf } from '../search';
import { sortOf } from '../sort';
import { deviceDocument, project, projectionOf, type Projection } from './device-document';
import { deviceExists, readDeviceRecords } from './device-read';

/** Devices per read of documents: a full document is a few hundred rows. */
const DOCUMENT_PAGE = 50;
const SEARCH_PAGE = 500;

interface Listing {
  search: CompiledDeviceQuery;
  order: SortKey[];
  skip: number;
  /** 0: no limit. */
  limit: number;
}

/** The matching keys in order, after `skip`, at most `limit`, a search page at a time. */
async function* matchingKeys(sql: SqlAccess, l: Listing): AsyncGenerator<DeviceKey[]> {
  let after: Position | null = null;
  let toSkip = l.skip;
  let left = l.limit === 0 ? Number.MAX_SAFE_INTEGER : l.limit;
  do {
    const page = await queryDevicePage(sql, l.search, { order: l.order, after, limit: Math.min(SEARCH_PAGE, toSkip + left) });
    const skipped = Math.min(toSkip, page.devices.length);
    toSkip -= skipped;
    const keys = page.devices.slice(skipped, skipped + left);
    left -= keys.length;
    for (let i = 0; i < keys.length; i += DOCUMENT_PAGE) yield keys.slice(i, i + DOCUMENT_PAGE);
    after = page.next;
  } while (after !== null && left > 0);
}

/**
 * The JSON array of documents, written as the pages are read. The first
 * search page is read before the answer starts: a search that fails there
 * (a SELECT over SEARCH_STATEMENT_MS) answers its error, not a 200 cut short.
 */
async function documents(sql: SqlAccess, l: Listing, projection: Projection | null): Promise<Readable> {
  const pages = matchingKeys(sql, l);
  const first = await pages.next();
  const need = projection?.parameters ?? { all: true as const };
  async function* written(): AsyncGenerator<string> {
    let separator = '';
    yield '[';
    for (let page = first; !page.done; page = await pages.next()) {
      for (const record of await readDeviceRecords(sql, page.value, need)) {
        yield `${separator}${JSON.stringify(project(deviceDocument(record), projection))}`;
        separator = ',';
      }
    }
    yield ']';
  }
  return Readable.from(written());
}

async function count(sql: SqlAccess, search: CompiledDeviceQuery): Promise<number> {
  let n = 0;
  for await (const page of streamDevices(sql, search)) n += page.length;
  return n;
}

const text = z.string({ error: 'must be given once' }).optional();
const listQuery = z.object({
  query: text,
  projection: text,
  sort: text,
  skip: intQuery(0, Number.MAX_SAFE_INTEGER, 0),
  limit: intQuery(0, Number.MAX_SAFE_INTEGER, 0),
});

async function existing(sql: SqlAccess, id: string): Promise<string> {
  if (!(await deviceExists(sql, id))) throw new AcsError('ACS_ERR_NOT_FOUND', `no device with id ${id}`);
  return id;
}

const tag = z.string().min(1).max(255);

/** `statementMs`: SEARCH_STATEMENT_MS, each search SELECT's bound. */
export function deviceRoutes(store: DeviceStore, statementMs: number): Router {
  const tagRoute = (method: 'post' | 'delete') => defineRoute({
    method,
    path: '/devices/:id/tags/:tag',
    summary: method === 'post' ? 'Tag a device' : 'Untag a device',
    params: z.object({ id: deviceId, tag }),
    responses: { 200: 'done', 404: 'no such device' },
    handle: async (ctx, { params }) => {
      const id = await existing(store.sql, params.id);
      await store.setTags(id, method === 'post' ? [params.tag] : [], method === 'post' ? [] : [params.tag]);
      ctx.status = 200;
    },
  });
  return apiRouter([
    defineRoute({
      method: 'get',
      path: '/devices',
      summary: 'Devices as GenieACS documents',
      query: listQuery,
      responses: { 200: 'the documents' },
      handle: async (ctx, { query }) => {
        const search = compiledSearchOf(query.query === undefined ? {} : { query: query.query }, statementMs);
        if (ctx.method === 'HEAD') {
          ctx.set('total', String(await count(store.sql, search)));
          ctx.status = 200;
          return;
        }
        const listing: Listing = { search, order: sortOf(query.sort), skip: query.skip, limit: query.limit };
        const projection = projectionOf(query.projection);
        ctx.type = 'application/json';
        ctx.body = await documents(store.sql, listing, projection);
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/devices/:id',
      summary: 'Delete a device',
      params: z.object({ id: deviceId }),
      responses: { 200: 'deleted', 404: 'no such device' },
      handle: async (ctx, { params }) => {
        if (!(await store.deleteDevice(params.id))) throw new AcsError('ACS_ERR_NOT_FOUND', `no device with id ${params.id}`);
        ctx.status = 200;
      },
    }),
    tagRoute('post'),
    tagRoute('delete'),
  ], 'ignored');
}
