/**
 * The xsd type the BBF data models give a parameter, for values whose type
 * the cache does not know (the alias keys of a new instance, a parameter
 * never read): TR-181, TR-098 and the service models TR-104, TR-135 and
 * TR-140, from tables generated into the project (generate.ts), so nothing
 * at run time depends on the XML.
 */
import type { XsdType } from '../../cwmp/soap/types';
import { TYPE_CODES } from './codes';
import { OBJECT_TYPES } from './table';

/** Where the service models hang in the device models ("Device.Services.VoiceService.{i}."). */
const SERVICE_MOUNTS = ['Device.Services.', 'InternetGatewayDevice.Services.'];

/** Generic object path → parameter name → type; built once, never changed. */
const INDEX: ReadonlyMap<string, ReadonlyMap<string, XsdType>> = new Map(
  Object.entries(OBJECT_TYPES).map(([object, params]) => [object, new Map(params.split(' ').map(paramType))]),
);

function paramType(entry: string): [string, XsdType] {
  const colon = entry.indexOf(':');
  return colon < 0 ? [entry, 'xsd:string'] : [entry.slice(0, colon), TYPE_CODES[entry.slice(colon + 1)]];
}

/** An instance segment: a number, an alias reference ("[cpe-wan]", TR-069 Annex A alias-based addressing) or the generic "{i}". */
function isInstance(segment: string): boolean {
  return segment === '{i}' || /^\d+$/.test(segment) || (segment.startsWith('[') && segment.endsWith(']'));
}

/**
 * The data model's type of a parameter ("Device.NAT.PortMapping.3.ExternalPort"
 * → "xsd:unsignedInt"); undefined for a path no model names (vendor
 * extensions, objects, typos).
 */
export function typeOf(path: string): XsdType | undefined {
  const segments = path.split('.');
  const name = segments.pop();
  if (name === undefined || name === '') return undefined;
  const object = `${segments.map((s) => (isInstance(s) ? '{i}' : s)).join('.')}.`;
  return INDEX.get(object)?.get(name) ?? INDEX.get(serviceObject(object))?.get(name);
}

/** "Device.Services.VoiceService.{i}.X." → "VoiceService.{i}.X." (the service model's own paths). */
function serviceObject(object: string): string {
  const mount = SERVICE_MOUNTS.find((m) => object.startsWith(m));
  return mount === undefined ? '' : object.slice(mount.length);
}
