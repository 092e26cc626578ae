/**
 * changeDUState (TR-069 A.4.1.10, CWMP 1.2+): install, update and uninstall
 * deployment units. Body: { operations: [{ install: {url, uuid?, username?,
 * password?, executionEnvRef?} } | { update: {uuid?, version?, url?,
 * username?, password?} } | { uninstall: {uuid, version?, executionEnvRef?} }],
 * commandKey? }. Absent members stay absent on the wire (they are optional
 * elements of the schema's operation structs).
 */
import { z } from 'zod';
import type { OperationStruct } from '../cwmp/soap/types';
import { commandKeyText, keyText, nameText } from './body-shapes';
import { array, bad, commandKey, MAX_KEY, MAX_NAME, object, onlyFields, show, text, url, type Body } from './fields';
import { kind } from './kind';

type Op = OperationStruct['op'];
/** One operation as stored: { install: {...} } etc. with camelCase members. */
type Operation = Partial<Record<'install' | 'update' | 'uninstall', Record<string, string>>>;

/** DeploymentUnitUUID pattern of the schema. */
const UUID = /^[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$/;
/** DU URLs are anyURI(1024), longer than a Download URL. */
const MAX_DU_URL = 1024;

const uuid = nameText.regex(UUID, { error: 'must be a UUID (8-4-4-4-12 hex digits)' });
const duUrl = z.string().max(MAX_DU_URL);

/** The members each operation takes: camelCase of the schema's elements, in their order (the wire's). */
const MEMBERS = {
  install: z.strictObject({ url: duUrl, uuid: uuid.optional(), username: nameText.optional(), password: nameText.optional(), executionEnvRef: nameText.optional() }),
  update: z.strictObject({ uuid: uuid.optional(), version: keyText.optional(), url: duUrl.optional(), username: nameText.optional(), password: nameText.optional() }),
  uninstall: z.strictObject({ uuid, version: keyText.optional(), executionEnvRef: nameText.optional() }),
};

/** One operation: exactly one of install, update, uninstall. */
const OPERATION = z
  .strictObject({ install: MEMBERS.install.optional(), update: MEMBERS.update.optional(), uninstall: MEMBERS.uninstall.optional() })
  .refine((o) => Object.keys(o).length === 1, { error: 'must have exactly one of install, update, uninstall' })
  .meta({ minProperties: 1, maxProperties: 1 });

const WIRE: Record<string, string> = {
  url: 'URL', uuid: 'UUID', username: 'Username', password: 'Password', executionEnvRef: 'ExecutionEnvRef', version: 'Version',
};
const OPS: Record<string, Op> = { install: 'Install', update: 'Update', uninstall: 'Uninstall' };

export const changeDUState = kind<{ operations: Operation[]; commandKey: string }>({
  body: { operations: z.array(OPERATION).min(1), commandKey: commandKeyText },
  example: { operations: [{ install: { url: 'https://files.example.net/du/app-1.0.ipk' } }] },
  normalize: (b) => ({
    operations: array(b.operations, 'operations', 1).map((o, i) => operation(o, `operations[${i}]`)),
    commandKey: commandKey(b.commandKey),
  }),
  request: (a) => ({ method: 'ChangeDUState', Operations: a.operations.map(operationStruct), CommandKey: a.commandKey }),
});

function operation(value: unknown, field: string): Operation {
  const o = object(value, field);
  const keys = Object.keys(o);
  if (keys.length !== 1 || !Object.hasOwn(OPS, keys[0])) bad(`${field} must be one of {install: {...}}, {update: {...}}, {uninstall: {...}}; found ${show(value)}`);
  const key = keys[0] as keyof Operation;
  return { [key]: members(o[key], `${field}.${key}`, key) };
}

function members(value: unknown, field: string, key: keyof Operation): Record<string, string> {
  const m = object(value, field);
  const shape: Record<string, z.ZodType> = MEMBERS[key].shape;
  onlyFields(m, Object.keys(shape), field);
  for (const [name, s] of Object.entries(shape)) if (!s.isOptional() && m[name] === undefined) bad(`${field}.${name} is required`);
  const out: Record<string, string> = {};
  for (const name of Object.keys(shape)) if (m[name] !== undefined) out[name] = member(m[name], `${field}.${name}`, name);
  return out;
}

function member(value: unknown, field: string, name: string): string {
  if (name === 'url') return url(value, field, MAX_DU_URL);
  if (name === 'version') return text(value, field, MAX_KEY);
  const s = text(value, field, MAX_NAME);
  if (name === 'uuid' && !UUID.test(s)) bad(`${field} must be a UUID (8-4-4-4-12 hex digits), found ${show(s)}`);
  return s;
}

function operationStruct(o: Operation): OperationStruct {
  const [key, m] = Object.entries(o)[0] as [string, Record<string, string>];
  const wire: Body = { op: OPS[key] };
  for (const [name, v] of Object.entries(m)) wire[WIRE[name]] = v;
  return wire as unknown as OperationStruct;
}
