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
import type Router from '@koa/router';
import { z } from 'zod';
import { AcsError } from '../../errors';
import { loadPresetFile, parsePreset } from '../../presets/load';
import { formatPresetError, type Preset } from '../../presets/types';
import { dirOf, fileFor, filesOf, kindFiles, type ScriptDirs } from '../../scripts/folders';
import type { StoredScripts } from '../../scripts/stored';
import { storedLabel, type ScriptKind, type StoredScript } from '../../scripts/types';
import { checkScriptName } from '../../scripts/validate';
import { ScriptWriter } from '../../scripts/writer';
import { apiRouter, defineRoute, type ApiRoute } from '../api/route';
import { intQuery } from '../api/schemas';
import { tokenOf } from '../auth/guard';

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
  /** A name and text for the document (the name of a path example must be a valid one). */
  example: { name: string; source: string };
}

const SCRIPT_TYPES = ['application/javascript', 'text/javascript', 'text/plain'];
const KINDS: KindRoute[] = [
  {
    kind: 'preset', route: '/presets', what: 'preset', type: 'text/yaml', accepts: ['text/yaml', 'application/yaml', 'application/x-yaml', 'text/plain'],
    example: { name: 'wifi', source: 'events: ["0 BOOTSTRAP"]\nprovisions:\n  - [wifi, HomeNet]\n' },
  },
  {
    kind: 'provision', route: '/provisions', what: 'provision', type: 'text/javascript', accepts: SCRIPT_TYPES,
    example: { name: 'wifi', source: "declare('Device.WiFi.SSID.1.SSID', null, { value: args[0] });\n" },
  },
  {
    kind: 'virtual-parameter', route: '/virtual-parameters', what: 'virtual parameter', type: 'text/javascript', accepts: SCRIPT_TYPES,
    example: { name: 'uptime', source: 'return { value: [1, "xsd:int"] };\n' },
  },
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

function notFound(k: KindRoute, name: string, extra = ''): never {
  throw new AcsError('ACS_ERR_NOT_FOUND', `no ${k.what} named ${name}${extra}`);
}

/** The name in the path, checked before the body is read; its rules are checkScriptName's (its 400 words each). */
const nameParams = (k: KindRoute) => z.object({ name: z.string().transform((name) => checkScriptName(k.kind, name)).meta({ example: k.example.name }) });

/** PUT's JSON form; the text forms (k.accepts) are made into it. */
const SOURCE_BODY = z.strictObject({ source: z.string({ error: 'must be a string: a JSON body is {"source": "<the text>"}' }) });

/** GET /<kind>/:name: the active text (the file's, else the stored one), or ?version=N from the stored history. */
function readRoute(o: ScriptRouteOptions, stored: StoredScripts, k: KindRoute): ApiRoute {
  return defineRoute({
    method: 'get',
    path: `${k.route}/:name`,
    summary: `A ${k.what}'s text`,
    description: `As ${k.type}: the folder's file, else the stored version; its origin (file or database) and stored version in the ACS-Script-Origin and ACS-Script-Version headers.`,
    params: nameParams(k),
    query: z.object({ version: intQuery(1, MAX_VERSION).meta({ description: 'a stored version, from the history' }) }),
    responses: { 200: `the ${k.what}'s text`, 404: `no ${k.what} of that name (or version)` },
    handle: async (ctx, { params: { name }, query: { version } }) => {
      ctx.type = k.type;
      if (version !== undefined) {
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
    },
  });
}

/** PUT /<kind>/:name: checked as `acs lint` would, then stored as a new version. */
function writeRoute(writer: ScriptWriter, k: KindRoute): ApiRoute {
  return defineRoute({
    method: 'put',
    path: `${k.route}/:name`,
    summary: `Store a ${k.what}`,
    description: `The text as the body (${k.accepts.join(', ')}) or as JSON {"source": "<the text>"}; checked as \`acs lint\` checks a file, lint's warnings in the answer. A name a file of the folder holds cannot be written (files win).`,
    params: nameParams(k),
    body: SOURCE_BODY.meta({ example: { source: k.example.source } }),
    textBody: { types: k.accepts, fromText: (source) => ({ source }) },
    responses: { 200: 'replaced: the new version', 201: 'created: version 1', 409: `a file of the folder holds the ${k.what}` },
    handle: async (ctx, { params: { name }, body: { source } }) => {
      const { stored: s, created, warnings } = await writer.put(k.kind, name, source, tokenOf(ctx)?.name ?? 'unknown');
      ctx.status = created ? 201 : 200;
      ctx.body = { kind: s.kind, name: s.name, version: s.version, updatedAt: s.updatedAt, updatedBy: s.updatedBy, warnings };
    },
  });
}

function kindRoutes(o: ScriptRouteOptions, stored: StoredScripts, writer: ScriptWriter, k: KindRoute): ApiRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: k.route,
      summary: `Every ${k.what}`,
      description: `The folder's and the stored ones, each with its origin (file or database)${k.kind === 'preset' ? '; presets parsed, or with lint\'s errors' : ''}.`,
      responses: { 200: `the ${k.what}s, by name` },
      handle: async (ctx) => {
        ctx.body = await listing(o, stored, k.kind);
      },
    }),
    readRoute(o, stored, k),
    defineRoute({
      method: 'get',
      path: `${k.route}/:name/versions`,
      summary: `A stored ${k.what}'s history`,
      params: nameParams(k),
      responses: { 200: 'its versions: version, time, by, deleted', 404: `no ${k.what} of that name in the database` },
      handle: async (ctx, { params: { name } }) => {
        const versions = await stored.store.versions(k.kind, name);
        ctx.body = versions.length > 0 ? versions : notFound(k, name, ' in the database');
      },
    }),
    writeRoute(writer, k),
    defineRoute({
      method: 'delete',
      path: `${k.route}/:name`,
      summary: `Delete a stored ${k.what}`,
      description: 'Its history stays. A name a file of the folder holds cannot be deleted (files win).',
      params: nameParams(k),
      responses: { 200: 'deleted: the version that records it', 404: `no ${k.what} of that name in the database`, 409: `a file of the folder holds the ${k.what}` },
      handle: async (ctx, { params: { name } }) => {
        const version = (await writer.remove(k.kind, name, tokenOf(ctx)?.name ?? 'unknown')) ?? notFound(k, name, ' in the database');
        ctx.body = { kind: k.kind, name, version, deleted: true };
      },
    }),
  ];
}

export function scriptRoutes(o: ScriptRouteOptions, stored: StoredScripts): Router {
  const writer = new ScriptWriter({ dirs: o, stored, scriptTimeoutMs: o.scriptTimeoutMs, scriptMemoryMb: o.scriptMemoryMb });
  return apiRouter([
    ...KINDS.flatMap((k) => kindRoutes(o, stored, writer, k)),
    defineRoute({
      method: 'get',
      path: '/extensions',
      summary: 'The extension modules',
      description: 'The modules of the extensions folder (files only), by name.',
      responses: { 200: 'their names and files' },
      handle: (ctx) => {
        ctx.body = filesOf(o.extDir, MODULE).map((f) => ({ name: f.replace(MODULE, ''), file: f }));
      },
    }),
  ]);
}
