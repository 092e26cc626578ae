/**
 * GetParameterNames (TR-069 A.3.2.3), ACS -> CPE.
 * In: ParameterPath string(256) ("" = root), NextLevel boolean (some CPEs send 0/1).
 * Out: ParameterList ParameterInfoStruct{Name, Writable}[]; object names end in ".".
 * Faults: 9005 invalid name, 9003 (e.g. Sagemcom on an empty path), 9002, 9004.
 */
import { array, bool, struct, trimmed } from '../codec';
import type { GetParameterNames as Request, GetParameterNamesResponse as Response, ParameterInfoStruct } from '../types';
import { rpc } from './shared';

const parameterInfoStruct = struct<ParameterInfoStruct>({ Name: trimmed, Writable: bool });

export const GetParameterNames = rpc<Request>('GetParameterNames', { ParameterPath: trimmed, NextLevel: bool });
export const GetParameterNamesResponse = rpc<Response>('GetParameterNamesResponse', {
  ParameterList: array('ParameterInfoStruct', 'cwmp:ParameterInfoStruct', parameterInfoStruct),
});
