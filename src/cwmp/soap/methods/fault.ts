/**
 * Fault (TR-069 A.5), either direction, only as the answer to a request:
 * <soap-env:Fault><faultcode>Client|Server</faultcode><faultstring>CWMP fault</faultstring>
 * <detail><cwmp:Fault>FaultCode, FaultString?, SetParameterValuesFault{ParameterName, FaultCode,
 * FaultString?}[0..n]</cwmp:Fault></detail></soap-env:Fault>.
 * Lenient in: a prefixed faultcode ("SOAP-ENV:Client"), none at all (taken from the code
 * catalogue), xsi:type on FaultCode/FaultString, a bare cwmp:Fault as the Body entry.
 */
import { fields, repeated, str, struct, trimmed, uint, withDefault, type Ctx, type FieldCodec } from '../codec';
import { faultcodeOf } from '../fault-codes';
import { SOAP_ENV_NS } from '../namespaces';
import type { Fault as FaultMessage, SetParameterValuesFaultStruct } from '../types';
import { quoted } from '../values';
import { childNamed, localPart, type XmlElement } from '../xml-tree';
import type { MethodCodec } from './shared';

const spvFault = repeated(
  struct<SetParameterValuesFaultStruct>({ ParameterName: trimmed, FaultCode: uint, FaultString: withDefault(str, '') }),
);

/** SetParameterValuesFault is absent rather than empty in the decoded message. */
const spvFaults: FieldCodec<SetParameterValuesFaultStruct[] | undefined> = {
  read: (parent, name, ctx) => {
    const list = spvFault.read(parent, name, ctx);
    return list.length > 0 ? list : undefined;
  },
  write: (name, list) => (list ? spvFault.write(name, list) : ''),
};

const detailFields = fields<Omit<FaultMessage, 'method' | 'faultcode'>>({
  FaultCode: uint,
  FaultString: withDefault(str, ''),
  SetParameterValuesFault: spvFaults,
});

function cwmpFaultOf(el: XmlElement, ctx: Ctx): XmlElement {
  if (el.ns !== SOAP_ENV_NS) return el;
  const detail = childNamed(el, 'detail') ?? ctx.at('detail').fail('missing');
  return childNamed(detail, 'Fault') ?? ctx.at('detail').at('Fault').fail('missing');
}

function faultcode(el: XmlElement, code: number, ctx: Ctx): 'Client' | 'Server' {
  const text = childNamed(el, 'faultcode')?.text;
  const local = text === undefined ? '' : localPart(text);
  if (local.startsWith('Client') || local.startsWith('Server')) return local.startsWith('Client') ? 'Client' : 'Server';
  ctx.warn(`faultcode ${quoted(text ?? '')} is not Client/Server, using the one of ${code}`);
  return faultcodeOf(code);
}

export const Fault: MethodCodec<FaultMessage> = {
  method: 'Fault',
  decode: (el, ctx) => {
    const inner = cwmpFaultOf(el, ctx);
    const detailCtx = inner === el ? ctx : ctx.at('detail').at('Fault');
    const detail = detailFields.read(inner, detailCtx);
    return { method: 'Fault', faultcode: faultcode(el, detail.FaultCode, ctx), ...detail };
  },
  encode: (f) =>
    `<soap-env:Fault><faultcode>${f.faultcode}</faultcode><faultstring>CWMP fault</faultstring>` +
    `<detail><cwmp:Fault>${detailFields.write(f)}</cwmp:Fault></detail></soap-env:Fault>`,
};
