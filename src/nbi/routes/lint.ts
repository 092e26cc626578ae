/**
 * POST /lint: what `acs lint` says of a preset, provision or virtual
 * parameter's text before it is saved — the web UI's editor asks as the
 * operator types. Nothing is stored; the checks are the ones PUT runs
 * (scripts/validate.ts), answered as messages with their line and column
 * instead of a 400.
 */
import type Router from '@koa/router';
import { z } from 'zod';
import { SCRIPT_KINDS, type ScriptKind } from '../../scripts/types';
import type { ScriptDirs } from '../../scripts/folders';
import type { StoredScripts } from '../../scripts/stored';
import { checkScriptName, ScriptChecks } from '../../scripts/validate';
import { FieldError } from '../api/messages';
import { apiRouter, defineRoute } from '../api/route';

/** checkScriptName's rule, its 400 naming the field. */
function nameOf(kind: ScriptKind, name: string): string {
  try {
    return checkScriptName(kind, name);
  } catch (err) {
    throw new FieldError('body', 'name', (err as Error).message);
  }
}

/** The text's name matters: a preset's provisions and a provision's preset calls are looked up by it. */
const LINT_BODY = z
  .strictObject({
    kind: z.enum(SCRIPT_KINDS as [string, ...string[]], { error: `must be one of ${SCRIPT_KINDS.join(', ')}` }).transform((k) => k as (typeof SCRIPT_KINDS)[number]),
    name: z.string({ error: 'must be a string: the script\'s name' }),
    text: z.string({ error: 'must be a string: the script\'s text' }),
  })
  .transform((b) => ({ ...b, name: nameOf(b.kind, b.name) }))
  .meta({ example: { kind: 'provision', name: 'wifi', text: "declare('Device.WiFi.SSID.1.SSID', null, { value: 'HomeNet' });\n" } });

export interface LintRouteOptions extends ScriptDirs {
  scriptTimeoutMs: number;
  scriptMemoryMb: number;
}

export function lintRoutes(o: LintRouteOptions, stored: StoredScripts): Router {
  const checks = new ScriptChecks({ dirs: o, stored, scriptTimeoutMs: o.scriptTimeoutMs, scriptMemoryMb: o.scriptMemoryMb });
  return apiRouter([
    defineRoute({
      method: 'post',
      path: '/lint',
      summary: 'Lint a preset, provision or virtual parameter without saving it',
      description: 'The checks PUT /<kind>/:name makes (those of `acs lint`), as {messages: [{line, column, severity, message}]}; line 0: no line applies. Errors are messages here, not a 400.',
      body: LINT_BODY,
      responses: { 200: 'the messages, errors and warnings, by line' },
      handle: async (ctx, { body }) => {
        const messages = await checks.problems(body.kind, body.name, body.text);
        ctx.body = { messages: messages.sort((a, b) => a.line - b.line || a.column - b.column) };
      },
    }),
  ]);
}
