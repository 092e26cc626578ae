/** What a collection profile may be: checked on every write through the API, and on every read of a stored one. */
import { z } from 'zod';
import { typeOf } from '../../model/datamodel-types';
import type { CollectionProfile, ProfileParameter } from '../types';
import { DEFAULT_RETENTION } from './builtin';

export const PROFILE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
/** A parameter path of either root, "*" in place of any instance number. */
const PATH = /^(Device|InternetGatewayDevice)(\.([A-Za-z0-9_-]+|\*))+$/;
const ALIAS = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const MAX_PARAMETERS = 500;
const MAX_RETENTION_DAYS = 3650;

const days = (what: string) => z.number({ error: `must be a number of days (${what})` }).int({ error: 'must be a whole number of days' }).min(0).max(MAX_RETENTION_DAYS);

export const profileParameterSchema = z.object({
  path: z.string().regex(PATH, { error: (i) => `${JSON.stringify(i.input)} is not a parameter path (Device.… or InternetGatewayDevice.…, "*" for instance numbers)` }),
  kind: z.enum(['counter', 'gauge'], { error: 'must be "counter" (a growing count, stored as a rate) or "gauge" (stored as read)' }),
  bits: z.union([z.literal(32), z.literal(64)], { error: 'must be 32 or 64 (where a counter wraps)' }).optional(),
  alias: z.string().regex(ALIAS, { error: 'must be a letter then letters, digits or "_" (at most 64)' }).optional(),
});

export const profileBodySchema = z.object({
  description: z.string().max(500).optional(),
  parameters: z.array(profileParameterSchema).min(1, { error: 'must name at least one parameter' }).max(MAX_PARAMETERS, { error: `at most ${MAX_PARAMETERS} parameters` }),
  intervalS: z.number({ error: 'must be a number of seconds' }).int().min(60, { error: 'must be at least 60 seconds' }).max(86_400, { error: 'must be at most 86400 seconds (a day)' }),
  retention: z.object({ raw: days('raw points'), '5m': days('5-minute buckets'), '1h': days('hourly buckets'), '1d': days('daily buckets') }).optional(),
});

export type ProfileBody = z.infer<typeof profileBodySchema>;

/** The profile a checked body makes. */
export function profileOf(name: string, body: ProfileBody): CollectionProfile {
  return {
    name,
    ...(body.description !== undefined ? { description: body.description } : {}),
    parameters: body.parameters.map(withBits),
    intervalS: body.intervalS,
    retention: body.retention ?? DEFAULT_RETENTION,
  };
}

/** A counter's width from the data model when the profile leaves it out: xsd:unsignedInt wraps at 2^32. */
export function withBits(p: ProfileParameter): ProfileParameter {
  if (p.kind !== 'counter' || p.bits !== undefined) return p;
  return { ...p, bits: typeOf(p.path.replaceAll('*', '1')) === 'xsd:unsignedInt' ? 32 : 64 };
}
