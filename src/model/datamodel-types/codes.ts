/** One letter per xsd type in the generated table (table.ts); xsd:string has none (a bare name). */
import type { XsdType } from '../../cwmp/soap/types';

export const TYPE_CODES: Readonly<Record<string, XsdType>> = {
  i: 'xsd:int',
  u: 'xsd:unsignedInt',
  l: 'xsd:long',
  L: 'xsd:unsignedLong',
  b: 'xsd:boolean',
  d: 'xsd:dateTime',
  6: 'xsd:base64',
  h: 'xsd:hexBinary',
};
