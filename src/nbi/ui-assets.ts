/**
 * The web UI's files (built by `npm run build` into dist/ui) served by the
 * REST API's process under /ui/, before the API's guard: the page must load
 * to sign in, and everything it shows comes from the API. / redirects to
 * /ui/. Under /ui/, a path without a file extension is a page of the UI and
 * gets index.html (the UI routes in the browser). Hashed files under
 * /ui/assets/ are cached for a year; index.html is fetched again each time
 * (no-cache, and no ETag: each answer carries its own CSP nonce), so a new
 * build shows at the next load. Files are read once, and gzipped once for
 * clients that take it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Context, Middleware, Next } from 'koa';

export const UI_PREFIX = '/ui/';
/** src/nbi and dist/nbi are both two levels below the package root. */
export const UI_DIST = path.resolve(__dirname, '../../dist/ui');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};
const IMMUTABLE = 'public, max-age=31536000, immutable';
/**
 * Stands in index.html (src/ui/index.html's `<meta property="csp-nonce">`) for
 * the nonce of each answer. CodeMirror adds its styles as a `<style>` element
 * (style-mod), which `style-src 'self'` alone refuses: the editor then has no
 * layout and lint's gutter markers no size. The editor gives that element this
 * nonce (EditorView.cspNonce); inline styles stay refused otherwise (no
 * 'unsafe-inline'), and a fresh random nonce per answer cannot be guessed by
 * injected markup.
 */
export const NONCE_PLACEHOLDER = '__ACS_CSP_NONCE__';

/** The UI's own scripts and styles only (and styles carrying this answer's nonce); its API calls go to this origin. */
function cspOf(nonce: string): string {
  return `default-src 'self'; img-src 'self' data:; style-src 'self' 'nonce-${nonce}'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'`;
}

interface Asset {
  body: Buffer;
  gzip: Buffer | null;
  type: string;
  etag: string;
}

function load(file: string): Asset | null {
  if (!existsSync(file)) return null;
  const body = readFileSync(file);
  const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
  const gzip = /^(text|application\/json|image\/svg)/.test(type) && body.length > 1024 ? gzipSync(body) : null;
  return { body, gzip, type, etag: `"${createHash('sha1').update(body).digest('base64url')}"` };
}

/** The file of a /ui/ path, or index.html for a page; null for a path that leaves the folder. */
function fileOf(dir: string, urlPath: string): string | null {
  const rel = urlPath.slice(UI_PREFIX.length);
  const file = path.resolve(dir, path.extname(rel) === '' ? 'index.html' : rel);
  return file.startsWith(dir + path.sep) ? file : null;
}

/** A page (index.html) with a new nonce in its text and its CSP; a few hundred bytes, sent as is. */
function sendPage(ctx: Context, asset: Asset): void {
  const nonce = randomBytes(16).toString('base64');
  ctx.set('Cache-Control', 'no-cache');
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Content-Security-Policy', cspOf(nonce));
  ctx.set('Referrer-Policy', 'same-origin');
  ctx.type = asset.type;
  ctx.body = asset.body.toString('utf8').replaceAll(NONCE_PLACEHOLDER, nonce);
}

function send(ctx: Context, asset: Asset, cache: string): void {
  if (asset.type.startsWith('text/html')) return sendPage(ctx, asset);
  ctx.set('Cache-Control', cache);
  ctx.set('ETag', asset.etag);
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.vary('Accept-Encoding');
  ctx.type = asset.type;
  if (ctx.get('If-None-Match') === asset.etag) {
    ctx.status = 304;
    return;
  }
  const gzip = asset.gzip !== null && ctx.acceptsEncodings('gzip', 'identity') === 'gzip';
  if (gzip) ctx.set('Content-Encoding', 'gzip');
  ctx.body = gzip ? asset.gzip : asset.body;
}

/** Serves the UI from `dir` (default dist/ui); every other path goes on to the API. */
export function uiAssets(dir = UI_DIST): Middleware {
  const cache = new Map<string, Asset | null>();
  const assetOf = (file: string): Asset | null => {
    if (!cache.has(file)) cache.set(file, load(file));
    return cache.get(file) ?? null;
  };
  return async (ctx: Context, next: Next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    if (ctx.path === '/' || ctx.path === '/ui') return ctx.redirect(UI_PREFIX);
    if (!ctx.path.startsWith(UI_PREFIX)) return next();
    const file = fileOf(dir, ctx.path);
    const asset = file === null ? null : assetOf(file);
    if (asset === null) {
      ctx.status = 404;
      ctx.type = 'text/plain';
      ctx.body = existsSync(path.join(dir, 'index.html')) ? 'not found' : 'the web UI is not built: run npm run build';
      return;
    }
    send(ctx, asset, ctx.path.startsWith(`${UI_PREFIX}assets/`) ? IMMUTABLE : 'no-cache');
  };
}
