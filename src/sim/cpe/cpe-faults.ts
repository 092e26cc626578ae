/**
 * CPE faults as the simulated device sends them: the catalogue's standard
 * FaultString, or with `verboseFaults` the standard string followed by why
 * ("Invalid parameter name: Device.Foo") to help whoever reads the log.
 */
import { CPE_FAULTS, cpeFault, type CpeFaultCode } from '../../cwmp/soap/fault-codes';
import type { Fault, SetParameterValuesFaultStruct } from '../../cwmp/soap/types';
import type { RpcOptions } from './options';

function faultString(options: RpcOptions, code: CpeFaultCode, detail: string | undefined): string {
  const standard = CPE_FAULTS[code].string;
  return options.verboseFaults && detail ? `${standard}: ${detail}` : standard;
}

/** A Fault with the standard string (plus the detail when verbose). */
export function fail(options: RpcOptions, code: CpeFaultCode, detail?: string): Fault {
  return cpeFault(code, faultString(options, code, detail));
}

/** Fault 9003 of a SetParameterValues with one entry per bad parameter. */
export function spvFail(entries: SetParameterValuesFaultStruct[]): Fault {
  return cpeFault(9003, CPE_FAULTS[9003].string, entries);
}

/** One SetParameterValuesFault entry. */
export function spvEntry(options: RpcOptions, name: string, code: CpeFaultCode, detail?: string): SetParameterValuesFaultStruct {
  return { ParameterName: name, FaultCode: code, FaultString: faultString(options, code, detail) };
}
