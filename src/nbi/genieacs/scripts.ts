/**
 * GenieACS's /presets, /provisions and /virtual_parameters over ours: the
 * folders' files (read-only; a file wins on a name clash) and the scripts
 * held in the database, written with the checks of our own routes
 * (scripts/validate.ts: 400 naming the line, nothing stored).
 *
 * - PUT /presets/:name takes GenieACS's preset JSON, stored as the YAML it
 *   maps to (preset.ts; 400 naming what does not map). GET answers the
 *   active presets in GenieACS's JSON.
 * - PUT /provisions/:name and /virtual_parameters/:name take the script as
 *   the body, whatever its Content-Type (curl --data sends a form's).
 *   GET answers `{_id, script}` documents.
 */
import fs from 'node:fs';
import path from 'node:path';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { AcsError, badRequest } from '../../errors';
import type { PresetRegistry } from '../../presets/registry';
import { dirOf, kindFiles, type ScriptDirs } from '../../scripts/folders';
import type { StoredScripts } from '../../scripts/stored';
import type { ScriptKind } from '../../scripts/types';
import { KIND_WORDS, ScriptWriter } from '../../scripts/writer';
import { apiRouter, defineRoute, type ApiRoute } from '../api/route';
import { tokenOf } from '../auth/guard';
import { textBody } from '../json-body';
import { docQueryOf, type Doc } from './doc-query';
import { genieacsPresetOf, presetYamlOf } from './preset';

export interface ScriptRouteDeps {
  dirs: ScriptDirs;
  stored: StoredScripts;
  presets: PresetRegistry;
  scriptTimeoutMs: number;
  scriptMemoryMb: number;
}

const WHAT = KIND_WORDS;
/** The token that writes, for the script's history. */
const by = (ctx: Context): string => tokenOf(ctx)?.name ?? 'unknown';
const nameParams = z.object({ name: z.string() });
const listQuery = z.object({ query: z.string().optional() });

function notFound(kind: ScriptKind, name: string): never {
  throw new AcsError('ACS_ERR_NOT_FOUND', `no ${WHAT[kind]} named ${name}`);
}

/** `{_id, script}` of every provision or virtual parameter: the folder's, then the stored ones no file shadows. */
function scriptDocuments(d: ScriptRouteDeps, kind: ScriptKind): Doc[] {
  const out = new Map<string, Doc>();
  for (const { file, name } of kindFiles(d.dirs, kind)) {
    if (!out.has(name)) out.set(name, { _id: name, script: fs.readFileSync(path.join(dirOf(d.dirs, kind), file), 'utf8') });
  }
  for (const s of d.stored.of(kind).values()) if (!out.has(s.name)) out.set(s.name, { _id: s.name, script: s.source });
  return [...out.values()].sort((a, b) => (String(a._id) < String(b._id) ? -1 : 1));
}

function presetRoutes(d: ScriptRouteDeps, writer: ScriptWriter): ApiRoute[] {
  const documents = () => d.presets.list().map(genieacsPresetOf);
  return [
    defineRoute({
      method: 'get', path: '/presets', summary: 'Presets as GenieACS JSON', query: listQuery, responses: { 200: 'the presets' },
      handle: (ctx, { query }) => void (ctx.body = documents().filter(docQueryOf(query.query).matches)),
    }),
    defineRoute({
      method: 'get', path: '/presets/:name', summary: 'A preset as GenieACS JSON', params: nameParams, responses: { 200: 'the preset', 404: 'no such preset' },
      handle: (ctx, { params }) => void (ctx.body = documents().find((p) => p._id === params.name) ?? notFound('preset', params.name)),
    }),
    defineRoute({
      method: 'put', path: '/presets/:name', summary: 'Store a GenieACS preset', params: nameParams, body: z.unknown(),
      responses: { 200: 'stored', 400: 'refused: what does not map, or lint\'s error', 409: 'a file holds the preset' },
      handle: async (ctx, { params, body }) => {
        const name = writer.writable('preset', params.name);
        const t = presetYamlOf(body);
        if (!t.ok) badRequest(`preset ${name} refused, nothing stored: ${t.problems.join('; ')}`);
        await writer.put('preset', name, t.yaml, by(ctx));
        ctx.status = 200;
      },
    }),
  ];
}

function sourceRoutes(d: ScriptRouteDeps, writer: ScriptWriter, kind: ScriptKind, route: string): ApiRoute[] {
  return [
    defineRoute({
      method: 'get', path: route, summary: `Every ${WHAT[kind]}: {_id, script}`, query: listQuery, responses: { 200: `the ${WHAT[kind]}s` },
      handle: (ctx, { query }) => void (ctx.body = scriptDocuments(d, kind).filter(docQueryOf(query.query).matches)),
    }),
    defineRoute({
      method: 'get', path: `${route}/:name`, summary: `A ${WHAT[kind]}: {_id, script}`, params: nameParams, responses: { 200: `the ${WHAT[kind]}`, 404: 'none of that name' },
      handle: (ctx, { params }) => void (ctx.body = scriptDocuments(d, kind).find((s) => s._id === params.name) ?? notFound(kind, params.name)),
    }),
    defineRoute({
      method: 'put', path: `${route}/:name`, summary: `Store a ${WHAT[kind]} (the script is the body)`, params: nameParams,
      responses: { 200: 'stored', 400: 'refused, naming the line', 409: 'a file holds it' },
      handle: async (ctx, { params }) => {
        await writer.put(kind, params.name, await textBody(ctx), by(ctx));
        ctx.status = 200;
      },
    }),
  ];
}

function deleteRoute(writer: ScriptWriter, kind: ScriptKind, route: string): ApiRoute {
  return defineRoute({
    method: 'delete', path: `${route}/:name`, summary: `Delete a stored ${WHAT[kind]}`, params: nameParams,
    responses: { 200: 'deleted', 404: 'none of that name in the database', 409: 'a file holds it' },
    handle: async (ctx, { params }) => {
      if ((await writer.remove(kind, params.name, by(ctx))) === null) notFound(kind, params.name);
      ctx.status = 200;
    },
  });
}

export function scriptRoutes(d: ScriptRouteDeps): Router {
  const writer = new ScriptWriter({ dirs: d.dirs, stored: d.stored, scriptTimeoutMs: d.scriptTimeoutMs, scriptMemoryMb: d.scriptMemoryMb });
  return apiRouter([
    ...presetRoutes(d, writer),
    deleteRoute(writer, 'preset', '/presets'),
    ...sourceRoutes(d, writer, 'provision', '/provisions'),
    deleteRoute(writer, 'provision', '/provisions'),
    ...sourceRoutes(d, writer, 'virtual-parameter', '/virtual_parameters'),
    deleteRoute(writer, 'virtual-parameter', '/virtual_parameters'),
  ], 'ignored');
}
