/**
 * Tasks as order systems send them (GenieACS's shape: `{ "name":
 * "setParameterValues", "parameterValues": [[path, value, type]] }`), turned
 * into the one CWMP request each stands for. The request joins the device's
 * persisted queue and goes out at its next session (at least once: it leaves
 * the queue when its answer is committed). Bad input is an ACS_ERR_BAD_REQUEST
 * naming the field.
 */
import type { CpeRequest, ParameterValueStruct, XsdType } from '../cwmp/soap/types';
import { xsdTypeOf } from '../cwmp/soap/values';
import { AcsError } from '../errors';

/** TR-069 names are string(256); no control characters. */
const MAX_NAME = 256;
const CONTROL = /[\u0000-\u001f\u007f]/;

type Task = Record<string, unknown>;
const builders: Record<string, (t: Task) => CpeRequest> = {
  getParameterValues: (t) => ({ method: 'GetParameterValues', ParameterNames: names(t.parameterNames, 'parameterNames') }),
  setParameterValues: (t) => ({ method: 'SetParameterValues', ParameterList: values(t.parameterValues), ParameterKey: '' }),
  addObject: (t) => ({ method: 'AddObject', ObjectName: objectName(t.objectName), ParameterKey: '' }),
  deleteObject: (t) => ({ method: 'DeleteObject', ObjectName: instanceName(t.objectName), ParameterKey: '' }),
  reboot: () => ({ method: 'Reboot', CommandKey: 'task' }),
  factoryReset: () => ({ method: 'FactoryReset' }),
};

/** The task names accepted, for error messages and the README. */
export const TASK_NAMES = Object.keys(builders);

export function taskRequest(body: unknown): CpeRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) bad('the task must be a JSON object with a "name"');
  const task = body as Task;
  const build = typeof task.name === 'string' && Object.hasOwn(builders, task.name) ? builders[task.name] : undefined;
  if (!build) bad(`task name must be one of ${TASK_NAMES.join(', ')}`);
  return build(task);
}

function bad(message: string): never {
  throw new AcsError('ACS_ERR_BAD_REQUEST', message);
}

function path(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') bad(`${field} must be a non-empty string`);
  if (value.length > MAX_NAME) bad(`${field} is longer than ${MAX_NAME} characters`);
  if (CONTROL.test(value)) bad(`${field} contains a control character`);
  if (value.includes('..') || value.startsWith('.')) bad(`${field} has an empty segment: ${value}`);
  return value;
}

function names(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.length === 0) bad(`${field} must be a non-empty array of parameter names`);
  return value.map((v, i) => path(v, `${field}[${i}]`));
}

function objectName(value: unknown): string {
  const name = path(value, 'objectName');
  if (!name.endsWith('.')) bad(`objectName must name an object (end with "."): ${name}`);
  return name;
}

function instanceName(value: unknown): string {
  const name = objectName(value);
  if (!/\.[1-9]\d*\.$/.test(name)) bad(`objectName must name an instance (e.g. "Device.NAT.PortMapping.3."): ${name}`);
  return name;
}

/** [[path, value, type?]], type an xsd type name ("xsd:unsignedInt" or "unsignedInt"); xsd:string by default. */
function values(value: unknown): ParameterValueStruct[] {
  if (!Array.isArray(value) || value.length === 0) bad('parameterValues must be a non-empty array of [name, value, type?]');
  return value.map((entry: unknown, i) => {
    const field = `parameterValues[${i}]`;
    if (!Array.isArray(entry) || entry.length < 2 || entry.length > 3) bad(`${field} must be [name, value, type?]`);
    const [name, v, type] = entry as unknown[];
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') bad(`${field}: the value must be a string, number or boolean`);
    if (typeof v === 'number' && !Number.isSafeInteger(v) && Number.isInteger(v)) bad(`${field}: ${v} is not an exact integer; pass it as a string`);
    return { Name: path(name, `${field} name`), Value: String(v), type: xsdType(type, field) };
  });
}

function xsdType(value: unknown, field: string): XsdType {
  if (value === undefined) return 'xsd:string';
  const type = typeof value === 'string' ? xsdTypeOf(value.replace(/^xsd:/, '')) : undefined;
  if (!type) bad(`${field}: unknown type ${JSON.stringify(value)} (xsd:string, xsd:int, xsd:unsignedInt, xsd:long, xsd:unsignedLong, xsd:boolean, xsd:dateTime, xsd:base64, xsd:hexBinary)`);
  return type;
}
