/**
 * What the operator's folders hold, read-only: GET /presets (each parsed, or
 * its errors as `acs lint` gives them), GET /provisions and
 * /virtual-parameters (names; `/:name` the source), GET /extensions (names).
 * The files stay the source of truth (kept in git by those who do); writing
 * them through the API is not offered yet.
 */
import fs from 'node:fs';
import path from 'node:path';
import Router from '@koa/router';
import { AcsError } from '../../errors';
import { isPresetFile, loadPresetFile, presetNameOf } from '../../presets/load';
import { formatPresetError } from '../../presets/types';
import { pathParams } from '../params';

export interface ScriptDirs {
  presetsDir: string;
  provisionsDir: string;
  virtualParametersDir: string;
  extDir: string;
}

const SCRIPT = /\.(js|ts)$/;
const MODULE = /\.(js|cjs|mjs)$/;

/** The directory's files matching `pattern`, sorted ([] for a missing directory). */
function filesOf(dir: string, pattern: RegExp): string[] {
  try {
    return fs.readdirSync(dir).filter((f) => pattern.test(f) && !f.endsWith('.d.ts')).sort();
  } catch {
    return [];
  }
}

function scriptList(dir: string): { name: string; file: string; bytes: number; modified: number }[] {
  return filesOf(dir, SCRIPT).map((f) => {
    const st = fs.statSync(path.join(dir, f));
    return { name: f.replace(SCRIPT, ''), file: f, bytes: st.size, modified: st.mtimeMs };
  });
}

function scriptSource(dir: string, name: string, what: string): string {
  const file = filesOf(dir, SCRIPT).find((f) => f.replace(SCRIPT, '') === name);
  if (!file) throw new AcsError('ACS_ERR_NOT_FOUND', `no ${what} named ${name}`);
  return fs.readFileSync(path.join(dir, file), 'utf8');
}

export function scriptRoutes(dirs: ScriptDirs): Router {
  const router = new Router();
  router.get('/presets', (ctx) => {
    ctx.body = filesOf(dirs.presetsDir, /./).filter(isPresetFile).map((f) => {
      const r = loadPresetFile(path.join(dirs.presetsDir, f));
      if (!r.ok) return { name: presetNameOf(f), ok: false, errors: r.errors.map(formatPresetError) };
      const { precondition: _compiled, preconditionSource, file: _file, ...rest } = r.preset;
      return { ...rest, ok: true, precondition: preconditionSource };
    });
  });
  for (const [route, dir, what] of [['/provisions', dirs.provisionsDir, 'provision'], ['/virtual-parameters', dirs.virtualParametersDir, 'virtual parameter']] as const) {
    router.get(route, (ctx) => {
      ctx.body = scriptList(dir);
    });
    router.get(`${route}/:name`, (ctx) => {
      const [name] = pathParams(ctx, ['name']);
      ctx.type = 'text/javascript';
      ctx.body = scriptSource(dir, name, what);
    });
  }
  router.get('/extensions', (ctx) => {
    ctx.body = filesOf(dirs.extDir, MODULE).map((f) => ({ name: f.replace(MODULE, ''), file: f }));
  });
  return router;
}
