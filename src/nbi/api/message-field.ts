/**
 * The field a handler's 400 names in its message, as a schema's 400 carries
 * it (`field`: body.<path>, query.<name>, path.<name>). Services check what
 * schemas cannot (a provision exists, `from` before `to`) and word their
 * refusals "<field> <what is wrong>" ("provisions[1].provision: unknown
 * provision", "query parameter from must be before to"); the field is taken
 * only when the request has it, or its route's schema names it, so a
 * message that starts otherwise ("give q or query, not both") has none.
 */
import type { z } from 'zod';
import { defOf, WRAPPERS } from './unknown-keys';

/** "query parameter from", "provisions[1].provision", "args.ssid": the part, its top-level name and its whole path. */
const LEADING = /^(query parameter |path parameter )?([A-Za-z_$][\w$-]*)((?:\[\d+\]|\.[A-Za-z_$][\w$-]*)*)(?=[\s:]|$)/;

export interface RequestParts {
  params: unknown;
  query: unknown;
  body: unknown;
  schemas: { params?: z.ZodType; query?: z.ZodType; body?: z.ZodType };
}

export function fieldOfMessage(message: string, r: RequestParts): string | null {
  const m = LEADING.exec(message);
  if (!m) return null;
  const [, part, name, rest] = m;
  if (part === 'query parameter ') return names(r.query, r.schemas.query, name) ? `query.${name}${rest}` : null;
  if (part === 'path parameter ') return names(r.params, r.schemas.params, name) ? `path.${name}${rest}` : null;
  if (names(r.body, r.schemas.body, name)) return `body.${name}${rest}`;
  if (names(r.query, r.schemas.query, name)) return `query.${name}${rest}`;
  return null;
}

/** Whether `name` is a key of the value as parsed, or of its schema's object (or of one of its union's). */
function names(value: unknown, schema: z.ZodType | undefined, name: string): boolean {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, name)) return true;
  return schema !== undefined && schemaNames(schema, name);
}

function schemaNames(schema: z.ZodType, name: string): boolean {
  const def = defOf(schema);
  if (WRAPPERS.has(def.type) && def.innerType) return schemaNames(def.innerType, name);
  if (def.type === 'pipe' && def.in) return schemaNames(def.in, name);
  if (def.type === 'union' && def.options) return def.options.some((o) => schemaNames(o, name));
  return def.type === 'object' && def.shape !== undefined && Object.hasOwn(def.shape, name);
}
