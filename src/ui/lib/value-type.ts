/**
 * The BBF type a new value is checked against before it is sent: the cached
 * type, else the data model's (its table is loaded only when needed), else
 * string. The check is the server's own (src/tasks/values-check.ts), so the
 * UI refuses exactly what the API would.
 */
import type { XsdType } from '../../cwmp/soap/types';
import { checkValue, type ValueCheck } from '../../tasks/values-check';

const XSD_TYPES: readonly string[] = ['xsd:string', 'xsd:int', 'xsd:unsignedInt', 'xsd:long', 'xsd:unsignedLong', 'xsd:boolean', 'xsd:dateTime', 'xsd:base64', 'xsd:hexBinary'];

export async function typeFor(path: string, cached: string | null): Promise<XsdType> {
  if (cached !== null && XSD_TYPES.includes(cached)) return cached as XsdType;
  const { typeOf } = await import('../../model/datamodel-types');
  return typeOf(path) ?? 'xsd:string';
}

export function checked(value: string, type: XsdType): ValueCheck {
  return checkValue(value, type);
}
