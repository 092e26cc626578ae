/**
 * Saved device searches, as the web UI's device list keeps them (issue 13):
 *
 *   GET    /searches                 the caller's own and the shared ones
 *   GET    /searches/:name?shared    one
 *   PUT    /searches/:name?shared    save (201 new, 200 replaced)
 *   DELETE /searches/:name?shared    forget
 *
 * A search is the caller's own (keyed by who signed in or the token's name)
 * unless ?shared names the one everybody sees. Reading needs scope read,
 * saving and deleting write (auth/guard.ts), shared or not. The search text
 * and the sort are checked as GET /devices would check them, so a saved
 * search always runs; 400 naming the field otherwise.
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { compileDeviceQuery } from '../../db/device-query';
import type { SqlAccess } from '../../db/types';
import { AcsError } from '../../errors';
import { FieldError } from '../api/messages';
import { apiRouter, defineRoute } from '../api/route';
import { flagQuery } from '../api/schemas';
import { tokenOf } from '../auth/guard';
import { sortOf } from '../sort';
import { SearchStore, type SearchOwner, type SearchSpec } from './search-store';

/** Searches per owner (and shared ones): the list is one answer, not paged. */
export const MAX_SEARCHES = 200;
const MAX_COLUMNS = 50;
const Q_MAX = 4096;
const SORT_MAX = 1024;
/** An identity column of the UI ("productClass") or a parameter path, `*` for any instance. */
const COLUMN_KEY = /^([A-Za-z]{1,32}|(Device|InternetGatewayDevice)(\.([A-Za-z0-9_-]+|\*))+)$/;

const name = z
  .string()
  .max(128)
  .refine((s) => s.length > 0 && s.trim() === s && !/[\u0000-\u001f\u007f]/.test(s), { error: 'must be 1 to 128 characters, no control characters, not starting or ending with white space' })
  .meta({ example: 'lab routers' });

const params = z.object({ name });
const sharedQuery = z.object({ shared: flagQuery.meta({ description: 'the shared search of that name (everyone sees it), not the caller\'s own' }) });

const body = z
  .strictObject({
    q: z.string().max(Q_MAX).meta({ description: 'the search: a precondition as GET /devices?q= takes it ("" for every device)' }),
    columns: z
      .array(z.string().max(255).regex(COLUMN_KEY, { error: 'must be a column: an identity field (productClass) or a parameter path' }))
      .min(1)
      .max(MAX_COLUMNS)
      .refine((keys) => new Set(keys).size === keys.length, { error: 'must not name a column twice' })
      .meta({ description: 'the columns shown, in order: identity fields (id, serialNumber, productClass, …) or parameter paths' }),
    sort: z.string().max(SORT_MAX).optional().meta({ description: 'as GET /devices?sort= takes it; absent or "" for the list\'s own order' }),
  })
  .meta({ example: { q: 'Tags.lab', columns: ['id', 'productClass', 'Device.DeviceInfo.SoftwareVersion'], sort: '-LastInform' } });

/** The search's text and sort run as GET /devices would run them: 400 naming body.q or body.sort otherwise. */
function checkedSpec(b: z.output<typeof body>): SearchSpec {
  const compiled = compileDeviceQuery({ filter: b.q });
  if (!compiled.ok) throw new FieldError('body', 'q', `q is not a search: ${compiled.message}`);
  const sort = (b.sort ?? '').trim();
  try {
    if (sort !== '') sortOf(sort);
  } catch (err) {
    throw new FieldError('body', 'sort', (err as Error).message);
  }
  return { q: b.q, columns: b.columns, sort };
}

function ownerOf(ctx: Context, shared: boolean): SearchOwner {
  const principal = tokenOf(ctx)?.name;
  // The guard sets it on every route but the anonymous ones: without it, this route was reached unguarded.
  if (principal === undefined) throw new AcsError('ACS_ERR_TOKEN', 'saved searches belong to someone: sign in or give an API token');
  return { principal, shared };
}

const whose = (o: SearchOwner): string => (o.shared ? 'shared search' : 'saved search of yours');

export function searchRoutes(sql: SqlAccess): Router {
  const store = new SearchStore(sql);
  return apiRouter([
    defineRoute({
      method: 'get',
      path: '/searches',
      summary: 'Saved device searches: the caller\'s own and the shared ones',
      description: `Each has its name, \`shared\`, the search text \`q\`, \`columns\` and \`sort\`. At most ${MAX_SEARCHES} of each owner.`,
      responses: { 200: 'the searches, by name' },
      handle: async (ctx) => {
        ctx.body = await store.list(ownerOf(ctx, false).principal);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/searches/:name',
      summary: 'One saved device search',
      params,
      query: sharedQuery,
      responses: { 200: 'the search', 404: 'no such search' },
      handle: async (ctx, { params: p, query }) => {
        const owner = ownerOf(ctx, query.shared);
        const found = await store.get(owner, p.name);
        if (!found) throw new AcsError('ACS_ERR_NOT_FOUND', `no ${whose(owner)} named ${JSON.stringify(p.name)}`);
        ctx.body = found;
      },
    }),
    defineRoute({
      method: 'put',
      path: '/searches/:name',
      summary: 'Save a device search under a name',
      description: 'Replaces a search of the same name and owner. The search text and sort must be ones GET /devices takes.',
      params,
      query: sharedQuery,
      body,
      responses: { 200: 'the search, replaced', 201: 'the search, new', 409: `the owner has ${MAX_SEARCHES} searches already` },
      handle: async (ctx, { params: p, query, body: b }) => {
        const owner = ownerOf(ctx, query.shared);
        const spec = checkedSpec(b);
        if (!(await store.get(owner, p.name)) && (await store.countOf(owner)) >= MAX_SEARCHES) {
          throw new AcsError('ACS_ERR_CONFLICT', `there are ${MAX_SEARCHES} ${owner.shared ? 'shared searches' : 'searches of yours'} already: delete one first`);
        }
        ctx.status = (await store.put(owner, p.name, spec)) ? 201 : 200;
        ctx.body = await store.get(owner, p.name);
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/searches/:name',
      summary: 'Forget a saved device search',
      params,
      query: sharedQuery,
      responses: { 204: 'forgotten', 404: 'no such search' },
      handle: async (ctx, { params: p, query }) => {
        const owner = ownerOf(ctx, query.shared);
        if (!(await store.delete(owner, p.name))) throw new AcsError('ACS_ERR_NOT_FOUND', `no ${whose(owner)} named ${JSON.stringify(p.name)}`);
        ctx.status = 204;
      },
    }),
  ]);
}
