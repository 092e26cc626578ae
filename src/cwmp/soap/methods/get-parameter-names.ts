/**
 * GetParameterNames (TR-069 A.3.2.3), ACS -> CPE.
 * In: ParameterPath string(256) ("" = root), NextLevel boolean (some CPEs send 0/1).
 * Out: ParameterList ParameterInfoStruct{Name, Writable}[]; object names end in ".".
 * Faults: 9005 invalid name, 9003 (e.g. Sagemcom on an empty path), 9002, 9004.
 */
import { badInstanceSegment } from '../../../model/instance-number';
import { array, bool, struct, trimmed, type ElementCodec } from '../codec';
import type { GetParameterNames as Request, GetParameterNamesResponse as Response, ParameterInfoStruct } from '../types';
import { quoted } from '../values';
import { rpc } from './shared';

/** A listed name, whose digit segments are instance numbers: "Device.X.0." makes the whole answer unusable. */
const listedName: ElementCodec<string> = {
  readEl: (el, ctx) => {
    const name = trimmed.readEl(el, ctx);
    const bad = badInstanceSegment(name);
    return bad === undefined ? name : ctx.fail(`has ${quoted(bad)} where an instance number (an integer from 1) belongs (${quoted(name)})`);
  },
  writeEl: trimmed.writeEl,
};

const parameterInfoStruct = struct<ParameterInfoStruct>({ Name: listedName, Writable: bool });

export const GetParameterNames = rpc<Request>('GetParameterNames', { ParameterPath: trimmed, NextLevel: bool });
export const GetParameterNamesResponse = rpc<Response>('GetParameterNamesResponse', {
  ParameterList: array('ParameterInfoStruct', 'cwmp:ParameterInfoStruct', parameterInfoStruct),
});
