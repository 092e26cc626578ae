/**
 * changeDUState (TR-069 A.4.1.10, CWMP 1.2+): install, update and uninstall
 * deployment units. Body: { operations: [{ install: {url, uuid?, username?,
 * password?, executionEnvRef?} } | { update: {uuid?, version?, url?,
 * username?, password?} } | { uninstall: {uuid, version?, executionEnvRef?} }],
 * commandKey? }. Absent members stay absent on the wire (they are optional
 * elements of the schema's operation structs).
 */
import type { OperationStruct } from '../cwmp/soap/types';
import { array, bad, commandKey, MAX_KEY, MAX_NAME, object, onlyFields, show, text, url, type Body } from './fields';
import { kind } from './kind';

type Op = OperationStruct['op'];
/** One operation as stored: { install: {...} } etc. with camelCase members. */
type Operation = Partial<Record<'install' | 'update' | 'uninstall', Record<string, string>>>;

/** DeploymentUnitUUID pattern of the schema. */
const UUID = /^[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$/;
/** DU URLs are anyURI(1024), longer than a Download URL. */
const MAX_DU_URL = 1024;

/** The members each operation takes (camelCase of the schema's elements). */
const MEMBERS: Record<Op, { required: string[]; optional: string[] }> = {
  Install: { required: ['url'], optional: ['uuid', 'username', 'password', 'executionEnvRef'] },
  Update: { required: [], optional: ['uuid', 'version', 'url', 'username', 'password'] },
  Uninstall: { required: ['uuid'], optional: ['version', 'executionEnvRef'] },
};
const WIRE: Record<string, string> = {
  url: 'URL', uuid: 'UUID', username: 'Username', password: 'Password', executionEnvRef: 'ExecutionEnvRef', version: 'Version',
};
const OPS: Record<string, Op> = { install: 'Install', update: 'Update', uninstall: 'Uninstall' };

export const changeDUState = kind<{ operations: Operation[]; commandKey: string }>({
  fields: ['operations', 'commandKey'],
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
  return { [key]: members(o[key], `${field}.${key}`, OPS[key]) };
}

function members(value: unknown, field: string, op: Op): Record<string, string> {
  const m = object(value, field);
  const { required, optional } = MEMBERS[op];
  onlyFields(m, [...required, ...optional], field);
  for (const r of required) if (m[r] === undefined) bad(`${field}.${r} is required`);
  const out: Record<string, string> = {};
  for (const name of [...required, ...optional]) if (m[name] !== undefined) out[name] = member(m[name], `${field}.${name}`, name);
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
