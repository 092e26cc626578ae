/**
 * The file server for CPEs (FS_PORT, 7567 as in GenieACS):
 * - GET/HEAD /<name>: a stored file (Download RPC URLs), with single ranges,
 *   to a CPE the ACS granted it (a signed URL or its credentials, access.ts);
 * - POST /bulkdata/<profile>: a CPE's bulk data report (src/qoe/collector);
 * - PUT/POST /uploads/<token>: a CPE's Upload (TR-069 A.4.1.5) to a URL made
 *   by FileService.uploadTarget. The token is the credential: whatever
 *   Basic/Digest credentials the CPE sends are not checked, and it is never
 *   challenged (CPEs differ too much in how they answer a 401 on upload).
 */
import type { ServerOptions } from 'node:http';
import Koa, { type Context } from 'koa';
import { AcsError } from '../errors';
import type { Logger } from '../log';
import { BULKDATA_PATH } from '../qoe/collector/route';
import { sendFile } from './send';
import type { FileService } from './service';
import { receiveBody } from './upload-body';
import { claimUpload, releaseUpload } from './uploads';

export interface FileServerDeps {
  files: FileService;
  log: Logger;
  /** POST /bulkdata/<profile>: the QoE collector (src/qoe/collector/route.ts). */
  bulkData?: (ctx: Context, profile: string) => Promise<void>;
}

/**
 * HTTP server options for the file server: headers must come quickly, but a
 * 256 MiB firmware to or from a slow line takes long, far past Node's default
 * 300 s request timeout.
 */
export const FILE_SERVER_HTTP_OPTIONS: ServerOptions = {
  headersTimeout: 20_000,
  requestTimeout: 2 * 60 * 60 * 1000,
  connectionsCheckingInterval: 30_000,
};

export function createFileServerApp(deps: FileServerDeps): Koa {
  const app = new Koa();
  app.use(errors(deps.log));
  app.use(async (ctx) => {
    const report = BULKDATA_PATH.exec(ctx.path);
    if (report && deps.bulkData) {
      if (ctx.method === 'POST' || ctx.method === 'PUT') return deps.bulkData(ctx, report[1]);
      ctx.set('Allow', 'POST, PUT');
      throw Object.assign(new Error(`method ${ctx.method} not allowed: bulk data reports are POSTed`), { status: 405, expose: true });
    }
    const upload = /^\/uploads\/([^/]*)$/.exec(ctx.path);
    if (upload && (ctx.method === 'PUT' || ctx.method === 'POST')) return receiveUpload(ctx, deps, upload[1]);
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      ctx.set('Allow', upload ? 'PUT, POST' : 'GET, HEAD');
      throw Object.assign(new Error(`method ${ctx.method} not allowed`), { status: 405, expose: true });
    }
    const name = nameOfPath(ctx.path);
    if (name === null) throw new AcsError('ACS_ERR_NOT_FOUND', 'no such file');
    if (!(await allowed(ctx, deps, name))) return;
    if (!(await sendFile(ctx, deps.files.store, name))) throw new AcsError('ACS_ERR_NOT_FOUND', 'no such file');
  });
  return app;
}

/** Checks the signed URL or the device's credentials (access.ts); answers 401 with the challenges when neither grants it. */
async function allowed(ctx: Context, deps: FileServerDeps, name: string): Promise<boolean> {
  const { access } = deps.files;
  await access.init();
  const outcome = access.check({ name, query: ctx.query, authorization: ctx.get('Authorization') || undefined, method: ctx.method, uri: ctx.url });
  if (outcome.ok) {
    if (outcome.device) deps.log.debug({ deviceId: outcome.device, name }, 'file download');
    return true;
  }
  deps.log.info({ name, reason: outcome.reason, remote: ctx.ip }, 'file download refused');
  if (outcome.challenges.length > 0) ctx.set('WWW-Authenticate', outcome.challenges);
  ctx.status = 401;
  ctx.body = `${outcome.reason}\n`;
  return false;
}

/** "/<percent-encoded name>" → the name; null for deeper paths (no file has "/" in its name). */
function nameOfPath(path: string): string | null {
  const segment = path.slice(1);
  if (segment === '' || segment.includes('/')) return null;
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

async function receiveUpload(ctx: Context, deps: FileServerDeps, token: string): Promise<void> {
  const outcome = await claimUpload(deps.files.sql, token);
  if (!outcome.ok) {
    ctx.status = outcome.status;
    ctx.body = `${outcome.reason}\n`;
    return;
  }
  const { claim } = outcome;
  try {
    const file = await receiveBody(ctx, deps.files, claim.name, claim.meta);
    deps.log.info({ name: file.name, size: file.size, deviceKey: claim.meta.deviceKey }, 'cpe upload stored');
    ctx.status = 200;
    ctx.body = 'stored\n';
  } catch (err) {
    await releaseUpload(deps.files.sql, claim).catch(() => undefined);
    throw err;
  }
}

/** Client errors as one line of text (a CPE logs it at best); server errors logged and hidden. */
function errors(log: Logger): Koa.Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      const e = err as { status?: number; expose?: boolean; message: string };
      // A body cut mid-way: Koa reports it as an app 'error' event (logged by whoever serves the app).
      if (ctx.headerSent || !ctx.writable) return;
      const status = typeof e.status === 'number' ? e.status : 500;
      if (status >= 500) log.error({ err, path: ctx.path, method: ctx.method }, 'file server request failed');
      ctx.status = status;
      ctx.body = `${status < 500 && e.expose !== false ? e.message : 'internal error'}\n`;
    }
  };
}
