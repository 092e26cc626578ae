/**
 * Tags and CPE credentials from the REST API:
 * - POST / DELETE /devices/:id/tags/:tag: one device (GenieACS's routes);
 * - POST / DELETE /tags/:tag?q=|query=: every device a search matches, page
 *   by page (one statement per page), answering how many matched and changed;
 * - PUT / DELETE /devices/:id/cpe-credentials: the username and password the
 *   CPE must present (otherwise CWMP_USERNAME/CWMP_PASSWORD or none).
 * A device that never informed gets a bare row (zero touch: tag it, give it
 * credentials, before it is plugged in).
 */
import Router from '@koa/router';
import { streamDevices } from '../../db/device-query';
import { checkTag, tagMany } from '../../db/tags';
import type { DeviceStore } from '../../db/types';
import { AcsError } from '../../errors';
import { jsonBody } from '../json-body';
import { checkDeviceId, pathParams } from '../params';
import { compiledSearchOf } from '../search';

const CREDENTIAL_MAX = 255;

function tagParam(tag: string): string {
  try {
    checkTag(tag);
  } catch (err) {
    throw new AcsError('ACS_ERR_BAD_REQUEST', (err as Error).message);
  }
  return tag;
}

function credentials(body: unknown): { username: string; password: string } {
  const b = body as { username?: unknown; password?: unknown } | null;
  for (const field of ['username', 'password'] as const) {
    const v = b?.[field];
    if (typeof v !== 'string' || v.length > CREDENTIAL_MAX) throw new AcsError('ACS_ERR_BAD_REQUEST', `${field} must be a string of at most ${CREDENTIAL_MAX} characters`);
  }
  if (b?.username === '') throw new AcsError('ACS_ERR_BAD_REQUEST', 'username must not be empty');
  return { username: b?.username as string, password: b?.password as string };
}

export function tagRoutes(store: DeviceStore): Router {
  const router = new Router();
  for (const [method, add] of [['post', true], ['delete', false]] as const) {
    router[method]('/devices/:id/tags/:tag', async (ctx) => {
      const [id, tag] = pathParams(ctx, ['id', 'tag']);
      checkDeviceId(id);
      await store.setTags(id, add ? [tagParam(tag)] : [], add ? [] : [tagParam(tag)]);
      ctx.status = 204;
    });
    router[method]('/tags/:tag', async (ctx) => {
      const [tag] = pathParams(ctx, ['tag']);
      tagParam(tag);
      if (ctx.query.q === undefined && ctx.query.query === undefined) {
        throw new AcsError('ACS_ERR_BAD_REQUEST', 'a bulk tag change needs q= or query= (q=TRUE for every device)');
      }
      let matched = 0;
      let changed = 0;
      for await (const page of streamDevices(store.sql, compiledSearchOf(ctx.query))) {
        matched += page.length;
        changed += await store.sql.autocommit((db) => tagMany(db, page, tag, add));
      }
      ctx.body = { matched, changed };
    });
  }
  router.put('/devices/:id/cpe-credentials', async (ctx) => {
    const [id] = pathParams(ctx, ['id']);
    checkDeviceId(id);
    await store.setCpeCredentials(id, credentials(await jsonBody(ctx)));
    ctx.status = 204;
  });
  router.delete('/devices/:id/cpe-credentials', async (ctx) => {
    const [id] = pathParams(ctx, ['id']);
    checkDeviceId(id);
    await store.setCpeCredentials(id, null);
    ctx.status = 204;
  });
  return router;
}
