/**
 * The first key of a request's body or query that its schema does not name.
 * zod's plain objects drop unknown keys without a word: a misspelt "filtr"
 * made a webhook subscription without its filter, sending every device's
 * events. Followed through the wrappers routes use (optional, nullable,
 * default, array, pipe); not into unions or records, nor objects that take
 * any key (a catchall: z.looseObject) or refuse them already (z.strictObject).
 */
import type { z } from 'zod';

/** The zod types that wrap one inner schema (its `innerType`): followed through by whoever walks a schema. */
export const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'nonoptional', 'readonly', 'catch']);

/** What a walk reads of a schema's definition (zod 4's `_zod.def`). */
export type Def = { type: string; shape?: Record<string, z.ZodType>; catchall?: z.ZodType; innerType?: z.ZodType; element?: z.ZodType; in?: z.ZodType; options?: z.ZodType[] };

export const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The path of the first unknown key of `value` for `schema` (which accepted it), or null. */
export function unknownKey(schema: z.ZodType, value: unknown, path: (string | number)[] = []): (string | number)[] | null {
  const def = defOf(schema);
  if (WRAPPERS.has(def.type) && def.innerType) return unknownKey(def.innerType, value, path);
  if (def.type === 'pipe' && def.in) return unknownKey(def.in, value, path);
  if (def.type === 'array' && def.element && Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = unknownKey(def.element, item, [...path, i]);
      if (found) return found;
    }
    return null;
  }
  if (def.type !== 'object' || def.catchall !== undefined || def.shape === undefined) return null;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const shape = def.shape;
  for (const [key, item] of Object.entries(value)) {
    if (!Object.prototype.hasOwnProperty.call(shape, key)) return [...path, key];
    const found = unknownKey(shape[key], item, [...path, key]);
    if (found) return found;
  }
  return null;
}
