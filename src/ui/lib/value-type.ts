/**
 * The BBF type a new value is checked against before it is sent: the cached
 * type, else the data model's (its table is loaded only when needed), else
 * string. The check is the server's own (src/tasks/values-check.ts), so the
 * UI refuses exactly what the API would.
 */
import type { XsdType } from '../../cwmp/soap/types';
import { checkValue, type ValueCheck } from '../../tasks/values-check';

export async function typeFor(path: string, cached: XsdType | null): Promise<XsdType> {
  if (cached !== null) return cached;
  const { typeOf } = await import('../../model/datamodel-types');
  return typeOf(path) ?? 'xsd:string';
}

export function checked(value: string, type: XsdType): ValueCheck {
  return checkValue(value, type);
}
