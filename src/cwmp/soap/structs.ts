/**
 * CWMP structs and arrays used by more than one RPC (TR-069 A.3, cwmp-1-2.xsd
 * type definitions).
 */
import { array, bool, Ctx, int, required, status, str, struct, trimmed, uint, withDefault, type ElementCodec, type Spec } from './codec';
import { XSI_NS } from './namespaces';
import type { FaultStruct, NotificationLevel, OpResultStruct, ParameterValueStruct, XsdType } from './types';
import { normaliseValue, quoted, wireType, xsdTypeOf } from './values';
import { escapeXml, textElement } from './xml';
import { attrNS, childNamed, localPart, type XmlElement } from './xml-tree';

const requiredName = required(trimmed);

/** The Value's xsi:type; a missing or unknown one reads as xsd:string, with a warning. */
function valueType(value: XmlElement, ctx: Ctx, param: string): XsdType {
  const declared = attrNS(value, XSI_NS, 'type');
  if (declared === undefined) {
    ctx.warn(`Value of ${param} has no xsi:type, read as xsd:string`);
    return 'xsd:string';
  }
  const type = xsdTypeOf(localPart(declared));
  if (!type) ctx.warn(`Value of ${param} has unknown xsi:type ${quoted(declared)}, read as xsd:string`);
  return type ?? 'xsd:string';
}

/** ParameterValueStruct {Name, Value}; the Value's xsi:type becomes `type`. */
export const parameterValueStruct: ElementCodec<ParameterValueStruct> = {
  readEl: (el, ctx) => {
    const Name = requiredName.read(el, 'Name', ctx);
    const value = childNamed(el, 'Value') ?? ctx.at('Value').fail('missing');
    const type = valueType(value, ctx, Name);
    return { Name, Value: normaliseValue(value.text, type), type };
  },
  writeEl: (name, p) =>
    `<${name}>${textElement('Name', p.Name)}<Value xsi:type="${wireType(p.type)}">${escapeXml(p.Value)}</Value></${name}>`,
};

export const parameterValueList = array('ParameterValueStruct', 'cwmp:ParameterValueStruct', parameterValueStruct);

/** xsd:string[] of names (ParameterNames, MethodList, AccessList): members trimmed. */
export const stringList = array('string', 'xsd:string', trimmed);

/** TransferComplete FaultStruct and the DU result Fault (whose FaultString is optional). */
export const faultStruct = struct<FaultStruct>({ FaultCode: uint, FaultString: withDefault(str, '') });

/** Notification attribute (Get/SetParameterAttributes): 0 off, 1 passive, 2 active, 3-6 lightweight (1.4). */
export const notification: ElementCodec<NotificationLevel> = {
  readEl: (el, ctx) => {
    const n = int.readEl(el, ctx);
    return n >= 0 && n <= 6 ? (n as NotificationLevel) : ctx.fail(`must be 0-6 ('${n}')`);
  },
  writeEl: int.writeEl,
};

/** DownloadResponse / UploadResponse: Status, StartTime, CompleteTime (dateTimes kept as sent). */
export const transferResult = { Status: status, StartTime: trimmed, CompleteTime: trimmed } as const;

/** QueuedTransferStruct, also the head of AllQueuedTransferStruct. */
export const queuedTransferFields = { CommandKey: str, State: int } as const;

/** OpResultStruct (DUStateChangeComplete), also the head of AutonOpResultStruct. */
export const opResultFields: Spec<OpResultStruct> = {
  UUID: trimmed,
  DeploymentUnitRef: trimmed,
  Version: str,
  CurrentState: trimmed,
  Resolved: bool,
  ExecutionUnitRefList: trimmed,
  StartTime: trimmed,
  CompleteTime: trimmed,
  Fault: faultStruct,
};
