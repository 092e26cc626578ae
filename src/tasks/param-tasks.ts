/**
 * Tasks on the data model: reads, writes, attributes, objects (TR-069 A.3.2).
 * Body shapes follow GenieACS's task API where it has the task
 * (getParameterValues, setParameterValues, refreshObject, addObject,
 * deleteObject); the others use the same conventions (camelCase fields named
 * after the RPC's arguments).
 */
import { z } from 'zod';
import type { NotificationLevel, SetParameterAttributesStruct } from '../cwmp/soap/types';
import { keyText, nameText, pathList, tripleList } from './body-shapes';
import { array, bad, boolean, object, onlyFields, parameterKey, show, text } from './fields';
import { kind, type TaskKind, type TaskLookup } from './kind';
import { instancePath, names, objectPath, path, triples, valueStructs, type Triple } from './paths';

const NAMES_EXAMPLE = { parameterNames: ['Device.DeviceInfo.SoftwareVersion', 'Device.ManagementServer.PeriodicInformInterval'] };

export const getParameterValues = kind<{ parameterNames: string[] }>({
  body: { parameterNames: pathList },
  example: NAMES_EXAMPLE,
  normalize: (b) => ({ parameterNames: names(b.parameterNames, 'parameterNames') }),
  request: (a) => ({ method: 'GetParameterValues', ParameterNames: a.parameterNames }),
});

/**
 * parameterPath ("" for the whole model; objectName is accepted as its alias).
 * NextLevel defaults to true for a partial path (one level, cheap) and must be
 * false for a complete parameter name (TR-069 A.3.2.3).
 */
export const getParameterNames = kind<{ parameterPath: string; nextLevel: boolean }>({
  body: {
    parameterPath: nameText.optional().meta({ description: 'required: "" for the whole data model, "Device.WiFi." for an object' }),
    objectName: nameText.optional().meta({ description: 'parameterPath\'s other name' }),
    nextLevel: z.boolean().optional().meta({ description: 'true (the default for an object): one level down' }),
  },
  example: { parameterPath: 'Device.WiFi.', nextLevel: true },
  normalize: (b) => {
    if (b.parameterPath !== undefined && b.objectName !== undefined) bad('give parameterPath or objectName, not both');
    const field = b.parameterPath === undefined && b.objectName !== undefined ? 'objectName' : 'parameterPath';
    if (b[field] === undefined) bad('parameterPath is required ("" for the whole data model)');
    const parameterPath = path(b[field], field, true);
    const partial = parameterPath === '' || parameterPath.endsWith('.');
    const nextLevel = b.nextLevel === undefined ? partial : boolean(b.nextLevel, 'nextLevel');
    if (nextLevel && !partial) bad(`nextLevel must be false for a parameter name (${show(parameterPath)}); end the path with "." for an object`);
    return { parameterPath, nextLevel };
  },
  request: (a) => ({ method: 'GetParameterNames', ParameterPath: a.parameterPath, NextLevel: a.nextLevel }),
});

export const setParameterValues = kind<{ parameterValues: Triple[]; parameterKey: string }>({
  body: { parameterValues: tripleList, parameterKey: keyText.optional() },
  example: { parameterValues: [['Device.ManagementServer.PeriodicInformInterval', 600, 'xsd:unsignedInt']] },
  normalize: (b, lookup) => ({
    parameterValues: triples(b.parameterValues, 'parameterValues', lookup.typeOf?.bind(lookup)),
    parameterKey: parameterKey(b.parameterKey),
  }),
  request: (a) => ({ method: 'SetParameterValues', ParameterList: valueStructs(a.parameterValues), ParameterKey: a.parameterKey }),
});

export const getParameterAttributes = kind<{ parameterNames: string[] }>({
  body: { parameterNames: pathList },
  example: NAMES_EXAMPLE,
  normalize: (b) => ({ parameterNames: names(b.parameterNames, 'parameterNames') }),
  request: (a) => ({ method: 'GetParameterAttributes', ParameterNames: a.parameterNames }),
});

/** One attribute change as stored: absent members are left unchanged on the CPE. */
interface AttributeChange {
  name: string;
  notification?: NotificationLevel;
  accessList?: string[];
}

/** One entry of parameterAttributes; notification and/or accessList. */
const ATTRIBUTE_CHANGE = z.strictObject({
  name: nameText,
  notification: z.union([z.int().min(0).max(6), z.enum(['0', '1', '2', '3', '4', '5', '6'])]).optional().meta({ description: '0 off, 1 passive, 2 active; 3-6 the modes of CWMP 1.4' }),
  accessList: z.array(z.literal('Subscriber')).optional().meta({ description: '[] for the ACS only' }),
});

export const setParameterAttributes = kind<{ parameterAttributes: AttributeChange[] }>({
  body: { parameterAttributes: z.array(ATTRIBUTE_CHANGE).min(1) },
  example: { parameterAttributes: [{ name: 'Device.DeviceInfo.SoftwareVersion', notification: 2 }] },
  normalize: (b) => ({
    parameterAttributes: array(b.parameterAttributes, 'parameterAttributes', 1).map((e, i) => attributeChange(e, `parameterAttributes[${i}]`)),
  }),
  request: (a) => ({ method: 'SetParameterAttributes', ParameterList: a.parameterAttributes.map(attributeStruct) }),
});

function attributeChange(entry: unknown, field: string): AttributeChange {
  const e = object(entry, field);
  onlyFields(e, Object.keys(ATTRIBUTE_CHANGE.shape), field);
  const change: AttributeChange = { name: path(e.name, `${field}.name`) };
  if (e.notification !== undefined) change.notification = notification(e.notification, `${field}.notification`);
  if (e.accessList !== undefined) change.accessList = accessList(e.accessList, `${field}.accessList`);
  if (change.notification === undefined && change.accessList === undefined) bad(`${field}: give notification and/or accessList`);
  return change;
}

/** 0 off, 1 passive, 2 active; 3-6 the lightweight/passive modes of CWMP 1.4. */
function notification(value: unknown, field: string): NotificationLevel {
  const n = typeof value === 'string' && /^\d$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 6) bad(`${field} must be 0 (off), 1 (passive), 2 (active) or 3-6, found ${show(value)}`);
  return n as NotificationLevel;
}

/** AccessListValueType: the schema knows one entity, "Subscriber"; [] means the ACS only. */
function accessList(value: unknown, field: string): string[] {
  return array(value, field, 0).map((v, i) => {
    const s = text(v, `${field}[${i}]`, 64);
    if (s !== 'Subscriber') bad(`${field}[${i}] must be "Subscriber" (the only AccessList entity of TR-069), found ${show(s)}`);
    return s;
  });
}

function attributeStruct(c: AttributeChange): SetParameterAttributesStruct {
  return {
    Name: c.name,
    NotificationChange: c.notification !== undefined,
    Notification: c.notification ?? 0,
    AccessListChange: c.accessList !== undefined,
    AccessList: c.accessList ?? [],
  };
}

/**
 * A subtree read: GetParameterNames (NextLevel false), then GetParameterValues
 * of the leaves (follow-up.ts). objectName "" is the whole model; a path
 * without the final "." is taken as an object unless the data model knows it as
 * a parameter.
 */
export const refreshObject = kind<{ objectName: string }>({
  body: { objectName: nameText.meta({ description: '"" for the whole data model' }) },
  example: { objectName: 'Device.WiFi.' },
  normalize: (b, lookup) => ({ objectName: refreshPath(b.objectName, lookup) }),
  request: (a) => ({ method: 'GetParameterNames', ParameterPath: a.objectName, NextLevel: false }),
});

function refreshPath(value: unknown, lookup: TaskLookup): string {
  if (value === undefined) bad('objectName is required ("" for the whole data model)');
  const s = path(value, 'objectName', true);
  if (s === '' || s.endsWith('.') || lookup.typeOf?.(s) !== undefined) return s;
  return objectPath(s, 'objectName');
}

/** AddObject, then (with parameterValues) SetParameterValues on the new instance, names relative to it. */
export const addObject = kind<{ objectName: string; parameterValues?: Triple[]; parameterKey: string }>({
  body: {
    objectName: nameText.meta({ description: 'a multi-instance object: "Device.NAT.PortMapping."' }),
    parameterValues: tripleList.optional().meta({ description: 'set on the new instance, names relative to it' }),
    parameterKey: keyText.optional(),
  },
  example: { objectName: 'Device.NAT.PortMapping.', parameterValues: [['Enable', true], ['ExternalPort', 8080]] },
  normalize: (b, lookup) => {
    const objectName = objectPath(b.objectName, 'objectName');
    if (/\.\d+\.$/.test(objectName)) bad(`objectName must name a multi-instance object, not an instance: ${show(objectName)}`);
    const args: { objectName: string; parameterValues?: Triple[]; parameterKey: string } = { objectName, parameterKey: parameterKey(b.parameterKey) };
    if (b.parameterValues !== undefined) {
      // "{i}" stands for the instance number the CPE will choose: the models' types are per generic path.
      args.parameterValues = triples(b.parameterValues, 'parameterValues', lookup.typeOf?.bind(lookup), (n) => `${objectName}{i}.${n}`);
    }
    return args;
  },
  request: (a) => ({ method: 'AddObject', ObjectName: a.objectName, ParameterKey: a.parameterKey }),
});

export const deleteObject = kind<{ objectName: string; parameterKey: string }>({
  body: { objectName: nameText.meta({ description: 'an instance: "Device.NAT.PortMapping.3."' }), parameterKey: keyText.optional() },
  example: { objectName: 'Device.NAT.PortMapping.3.' },
  normalize: (b) => ({ objectName: instancePath(b.objectName, 'objectName'), parameterKey: parameterKey(b.parameterKey) }),
  request: (a) => ({ method: 'DeleteObject', ObjectName: a.objectName, ParameterKey: a.parameterKey }),
});

export const PARAM_TASKS: Record<string, TaskKind> = {
  getParameterValues,
  getParameterNames,
  setParameterValues,
  getParameterAttributes,
  setParameterAttributes,
  refreshObject,
  addObject,
  deleteObject,
};
