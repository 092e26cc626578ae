/**
 * ChangeDUState (TR-069 A.4.1.10, CWMP 1.2+), ACS -> CPE.
 * In: Operations OperationStruct[1..] (not a SOAP array: repeated elements typed by xsi:type
 * cwmp:InstallOpStruct{URL, UUID?, Username?, Password?, ExecutionEnvRef?} | cwmp:UpdateOpStruct
 * {UUID?, Version?, URL?, Username?, Password?} | cwmp:UninstallOpStruct{UUID, Version?,
 * ExecutionEnvRef?}), CommandKey [0..1]. Out: empty; DUStateChangeComplete follows.
 * Faults: 9001-9004.
 */
import { fields, optional, repeated, str, trimmed, withDefault, type ElementCodec, type FieldsCodec } from '../codec';
import { XSI_NS } from '../namespaces';
import type { ChangeDUState as Request, ChangeDUStateResponse as Response, OperationStruct } from '../types';
import { quoted } from '../values';
import { attrNS, localPart } from '../xml-tree';
import { noArguments, rpc } from './shared';

type Op = OperationStruct['op'];
type OpArguments<K extends Op> = Omit<Extract<OperationStruct, { op: K }>, 'op'>;

const opFields: { readonly [K in Op]: FieldsCodec<OpArguments<K>> } = {
  Install: fields<OpArguments<'Install'>>({
    URL: trimmed,
    UUID: optional(trimmed),
    Username: optional(str),
    Password: optional(str),
    ExecutionEnvRef: optional(trimmed),
  }),
  Update: fields<OpArguments<'Update'>>({
    UUID: optional(trimmed),
    Version: optional(str),
    URL: optional(trimmed),
    Username: optional(str),
    Password: optional(str),
  }),
  Uninstall: fields<OpArguments<'Uninstall'>>({ UUID: trimmed, Version: optional(str), ExecutionEnvRef: optional(trimmed) }),
};

const OP_OF_TYPE: ReadonlyMap<string, Op> = new Map<string, Op>([
  ['InstallOpStruct', 'Install'],
  ['UpdateOpStruct', 'Update'],
  ['UninstallOpStruct', 'Uninstall'],
]);

const operation: ElementCodec<OperationStruct> = {
  readEl: (el, ctx) => {
    const xsiType = attrNS(el, XSI_NS, 'type');
    const op = xsiType === undefined ? undefined : OP_OF_TYPE.get(localPart(xsiType));
    if (!op) return ctx.fail(xsiType === undefined ? 'has no xsi:type' : `has unknown xsi:type ${quoted(xsiType)}`);
    return { op, ...opFields[op].read(el, ctx) } as OperationStruct;
  },
  writeEl: (name, value) => {
    // TS cannot tie opFields[value.op] to value's variant; the pairing is by construction.
    const inner = (opFields[value.op] as unknown as FieldsCodec<OperationStruct>).write(value);
    return `<${name} xsi:type="cwmp:${value.op}OpStruct">${inner}</${name}>`;
  },
};

export const ChangeDUState = rpc<Request>('ChangeDUState', {
  Operations: repeated(operation, 1),
  CommandKey: withDefault(str, ''),
});
export const ChangeDUStateResponse = noArguments<Response>('ChangeDUStateResponse');
