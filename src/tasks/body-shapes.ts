/**
 * The JSON shape of task body fields as zod schemas: types, required ones,
 * TR-069 lengths. Each task type declares its body with them (kind.ts), and
 * the REST API documents and checks a body by them first (build.ts
 * taskBody). What a shape cannot say (paths, values against their parameter's
 * type, files, provisions) is for the readers of fields.ts and paths.ts, which
 * every caller goes through.
 */
import { z } from 'zod';
import { MAX_KEY, MAX_NAME } from './fields';

/** Names, paths, URLs, file names, credentials: string(256). */
export const nameText = z.string().max(MAX_NAME);

/** CommandKey and ParameterKey: string(32). */
export const keyText = z.string().max(MAX_KEY);

/** The CommandKey of a task that takes one (fields.ts commandKey). */
export const commandKeyText = keyText.optional().meta({ description: 'quoted back by the CPE (M Reboot, TransferComplete); a random one when left out' });

export const pathList = z.array(nameText).min(1);

const UINT = { error: 'must be an integer from 0 to 4294967295, or its decimal string' };

/** xsd:unsignedInt: a JSON integer or its decimal string. */
export const unsignedIntShape = z.union([z.int(UINT).min(0, UINT).max(0xffffffff, UINT), z.string(UINT).regex(/^\d+$/, UINT)], UINT);

/** What a parameter's value or a provision's argument may be. */
export const scalar = z.union([z.string(), z.number(), z.boolean()], { error: 'must be a string, number or boolean' });

/** setParameterValues' and addObject's parameterValues. */
export const tripleList = z
  .array(z.tuple([nameText, scalar, z.string().optional()]).meta({ description: '[name, value, type?]: type as xsd:unsignedInt (or unsignedInt); the data model\'s when left out' }))
  .min(1);

/** fileType, windowMode: "<n> <name>", a vendor's "X <OUI> <name>", or the number n alone. */
export const numbered = z.union([z.string().max(64), z.int()]);
