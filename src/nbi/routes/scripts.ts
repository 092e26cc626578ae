/**
 * Presets, provisions and virtual parameters: those of the operator's
 * folders (read-only here; kept in git by those who do) and those written
 * through this API (stored in the database with every version, and taken up
 * by every process within a second or so, without a restart).
 *
 * Files win: a name a file holds cannot be written or deleted here (409
 * naming the file); a file that appears later with a stored script's name
 * is the active one, and the listing shows the stored one as `shadowed`.
 *
 * GET /presets, /provisions, /virtual-parameters: every one, with its origin
 * ("file" or "database"); presets parsed, or with lint's errors.
 * GET /<kind>/:name: the text (?version=N: a stored version from history).
 * GET /<kind>/:name/versions: the stored history (version, time, by, deleted).
 * PUT /<kind>/:name: YAML (presets) or JavaScript, as the body or as JSON
 * {"source": "..."}; checked as `acs lint` would (scripts/validate.ts).
 * DELETE /<kind>/:name: the stored script (its history stays).
 * GET /extensions: the extension modules' names.
 */
import fs from 'node:fs';
import path from 'node:path';
import Router from '@koa/router';
import type { Context } from 'koa';
import { AcsError, badRequest } from '../../errors';
import { loadPresetFile, parsePreset } from '../../presets/load';
import { formatPresetError, type Preset } from '../../presets/types';
import { dirOf, fileFor, filesOf, kindFiles, type ScriptDirs } from '../../scripts/folders';
import type { StoredScripts } from '../../scripts/stored';
import { storedLabel, type ScriptKind, type StoredScript } from '../../scripts/types';
import { checkScriptName, ScriptChecks } from '../../scripts/validate';
import { tokenOf } from '../auth/guard';
import { jsonBody, textBody } from '../json-body';
import { intParam, pathParams } from '../params';

export interface ScriptRouteOptions extends ScriptDirs {
  extDir: string;
  scriptTimeoutMs: number;
  scriptMemoryMb: number;
}

interface KindRoute {
  kind: ScriptKind;
  route: string;
  what: string;
  /** What the text is answered as. */
  type: string;
  /** Content types taken as the text itself (JSON is {"source": "..."}). */
  accepts: string[];
}

const SCRIPT_TYPES = ['application/javascript', 'text/javascript', 'text/plain'];
const KINDS: KindRoute[] = [
  { kind: 'preset', route: '/presets', what: 'preset', type: 'text/yaml', accepts: ['text/yaml', 'application/yaml', 'application/x-yaml', 'text/plain'] },
  { kind: 'provision', route: '/provisions', what: 'provision', type: 'text/javascript', accepts: SCRIPT_TYPES },
  { kind: 'virtual-parameter', route: '/virtual-parameters', what: 'virtual parameter', type: 'text/javascript', accepts: SCRIPT_TYPES },
];
const MODULE = /\.(js|cjs|mjs)$/;
const MAX_VERSION = 2 ** 31 - 1;

/** A preset as the API shows it: its precondition as written, not compiled. */
function presetBody(r: { ok: true; preset: Preset } | { ok: false; errors: Parameters<typeof formatPresetError>[0][] }): Record<string, unknown> {
  if (!r.ok) return { ok: false, errors: r.errors.map(formatPresetError) };
  const { precondition: _compiled, preconditionSource, file: _file, name: _name, ...rest } = r.preset;
  return { ...rest, ok: true, precondition: preconditionSource };
}

function storedEntry(s: StoredScript): Record<string, unknown> {
  const base = { name: s.name, origin: 'database', version: s.version, bytes: Buffer.byteLength(s.source), modified: s.updatedAt, updatedBy: s.updatedBy };
  return s.kind === 'preset' ? { ...base, ...presetBody(parsePreset(storedLabel(s), s.source, { name: s.name })) } : base;
}

function fileEntry(dirs: ScriptDirs, kind: ScriptKind, file: string, name: string): Record<string, unknown> {
  const full = path.join(dirOf(dirs, kind), file);
  const st = fs.statSync(full);
  const base = { name, origin: 'file', file, bytes: st.size, modified: st.mtimeMs };
  return kind === 'preset' ? { ...base, ...presetBody(loadPresetFile(full)) } : base;
}

/** Files and stored scripts of a kind, by name; a file shadows a stored script of its name. */
async function listing(dirs: ScriptDirs, stored: StoredScripts, kind: ScriptKind): Promise<Record<string, unknown>[]> {
  const rows = new Map((await stored.store.all()).filter((s) => s.kind === kind).map((s) => [s.name, s]));
  const out = new Map<string, Record<string, unknown>>();
  for (const { file, name } of kindFiles(dirs, kind)) {
    if (out.has(name)) continue; // wifi.yaml before wifi.yml, as the registry takes them
    const shadowed = rows.get(name);
    out.set(name, { ...fileEntry(dirs, kind, file, name), ...(shadowed ? { shadowed: { origin: 'database', version: shadowed.version } } : {}) });
  }
  for (const s of rows.values()) if (!out.has(s.name)) out.set(s.name, storedEntry(s));
  return [...out.values()].sort((a, b) => (String(a.name) < String(b.name) ? -1 : 1));
}

/** The body's text: the body itself for the kind's content types, or JSON {"source": "..."}. */
async function sourceOf(ctx: Context, k: KindRoute): Promise<string> {
  const type = ctx.request.type;
  if (type === 'application/json') {
    const body = await jsonBody(ctx);
    const source = (body as { source?: unknown } | null)?.source;
    if (typeof body !== 'object' || body === null || typeof source !== 'string') return badRequest('a JSON body must be {"source": "<the text>"}');
    return source;
  }
  if (k.accepts.includes(type)) return textBody(ctx);
  return badRequest(`Content-Type must be ${[...k.accepts, 'application/json'].join(', ')} for a ${k.what}, not ${type || 'none'}`);
}

/** 409 when a file of the folder holds the name: files win. */
function refuseIfFile(dirs: ScriptDirs, k: KindRoute, name: string): void {
  const file = fileFor(dirs, k.kind, name);
  if (file === undefined) return;
  throw new AcsError('ACS_ERR_CONFLICT', `${path.join(dirOf(dirs, k.kind), file)} holds the ${k.what} ${name}: files win over the database; change or remove the file instead`);
}

function nameOf(ctx: Context, k: KindRoute): string {
  const [name] = pathParams(ctx, ['name']);
  return checkScriptName(k.kind, name);
}

function notFound(k: KindRoute, name: string, extra = ''): never {
  throw new AcsError('ACS_ERR_NOT_FOUND', `no ${k.what} named ${name}${extra}`);
}

/** GET /<kind>/:name: the active text (the file's, else the stored one), or ?version=N from the stored history. */
async function readText(ctx: Context, o: ScriptRouteOptions, stored: StoredScripts, k: KindRoute): Promise<void> {
  const name = nameOf(ctx, k);
  ctx.type = k.type;
  if (ctx.query.version !== undefined) {
    const version = intParam(ctx.query.version, 'version', 0, MAX_VERSION, 1);
    ctx.set('ACS-Script-Origin', 'database');
    ctx.set('ACS-Script-Version', String(version));
    ctx.body = (await stored.store.source(k.kind, name, version)) ?? notFound(k, name, ` in version ${version} (GET ${k.route}/${name}/versions lists them)`);
    return;
  }
  const file = fileFor(o, k.kind, name);
  if (file !== undefined) {
    ctx.set('ACS-Script-Origin', 'file');
    ctx.body = fs.readFileSync(path.join(dirOf(o, k.kind), file), 'utf8');
    return;
  }
  const current = (await stored.store.get(k.kind, name)) ?? notFound(k, name);
  ctx.set('ACS-Script-Origin', 'database');
  ctx.set('ACS-Script-Version', String(current.version));
  ctx.body = current.source;
}

function kindRoutes(router: Router, o: ScriptRouteOptions, stored: StoredScripts, checks: ScriptChecks, k: KindRoute): void {
  router.get(k.route, async (ctx) => {
    ctx.body = await listing(o, stored, k.kind);
  });
  router.get(`${k.route}/:name`, (ctx) => readText(ctx, o, stored, k));
  router.get(`${k.route}/:name/versions`, async (ctx) => {
    const name = nameOf(ctx, k);
    const versions = await stored.store.versions(k.kind, name);
    ctx.body = versions.length > 0 ? versions : notFound(k, name, ' in the database');
  });
  router.put(`${k.route}/:name`, async (ctx) => {
    const name = nameOf(ctx, k);
    refuseIfFile(o, k, name);
    const text = await sourceOf(ctx, k);
    const warnings = await checks.check(k.kind, name, text);
    const existed = (await stored.store.get(k.kind, name)) !== null;
    const s = await stored.store.put(k.kind, name, text, tokenOf(ctx)?.name ?? 'unknown');
    // This process's lookups (a task naming the provision) know it at once; the others within a poll.
    await stored.refresh();
    ctx.status = existed ? 200 : 201;
    ctx.body = { kind: s.kind, name: s.name, version: s.version, updatedAt: s.updatedAt, updatedBy: s.updatedBy, warnings };
  });
  router.delete(`${k.route}/:name`, async (ctx) => {
    const name = nameOf(ctx, k);
    refuseIfFile(o, k, name);
    const version = (await stored.store.remove(k.kind, name, tokenOf(ctx)?.name ?? 'unknown')) ?? notFound(k, name, ' in the database');
    await stored.refresh();
    ctx.body = { kind: k.kind, name, version, deleted: true };
  });
}

export function scriptRoutes(o: ScriptRouteOptions, stored: StoredScripts): Router {
  const router = new Router();
  const checks = new ScriptChecks({ dirs: o, stored, scriptTimeoutMs: o.scriptTimeoutMs, scriptMemoryMb: o.scriptMemoryMb });
  for (const k of KINDS) kindRoutes(router, o, stored, checks, k);
  router.get('/extensions', (ctx) => {
    ctx.body = filesOf(o.extDir, MODULE).map((f) => ({ name: f.replace(MODULE, ''), file: f }));
  });
  return router;
}
