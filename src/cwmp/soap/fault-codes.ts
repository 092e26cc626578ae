/**
 * CWMP fault codes (TR-069 A.5, cwmp-1-2.xsd CPEFaultCodeType / cwmp-1-4.xsd
 * ACSFaultCodeType) with their standard strings and SOAP faultcode.
 *
 * The Client/Server split is the checklist's reading of the spec tables
 * (8003, 9003 and 9005-9008 are the sender's fault; everything else is
 * "Server"). Receivers may ignore faultcode, so it is informative only.
 * 8800-8899 / 9800-9899 are vendor ranges; 9033-9799 are reserved.
 */
import type { Fault, SetParameterValuesFaultStruct } from './types';

export type AcsFaultCode = 8000 | 8001 | 8002 | 8003 | 8004 | 8005 | 8006;
export type CpeFaultCode =
  | 9000 | 9001 | 9002 | 9003 | 9004 | 9005 | 9006 | 9007 | 9008 | 9009
  | 9010 | 9011 | 9012 | 9013 | 9014 | 9015 | 9016 | 9017 | 9018 | 9019
  | 9020 | 9021 | 9022 | 9023 | 9024 | 9025 | 9026 | 9027 | 9028 | 9029
  | 9030 | 9031 | 9032;

export interface FaultInfo {
  readonly code: number;
  readonly string: string;
  readonly faultcode: 'Client' | 'Server';
}

const CLIENT_CODES = new Set([8003, 9003, 9005, 9006, 9007, 9008]);

function table<C extends number>(strings: Record<C, string>): Readonly<Record<C, FaultInfo>> {
  const out = {} as Record<C, FaultInfo>;
  for (const key of Object.keys(strings)) {
    const code = Number(key) as C;
    out[code] = Object.freeze({ code, string: strings[code], faultcode: CLIENT_CODES.has(code) ? 'Client' : 'Server' });
  }
  return Object.freeze(out);
}

/** Faults the ACS returns to a CPE request. */
export const ACS_FAULTS = table<AcsFaultCode>({
  8000: 'Method not supported',
  8001: 'Request denied',
  8002: 'Internal error',
  8003: 'Invalid arguments',
  8004: 'Resources exceeded',
  8005: 'Retry request',
  8006: 'ACS version incompatible with CPE',
});

/** Faults a CPE returns to an ACS request (and FaultStruct codes of TransferComplete / DU results). */
export const CPE_FAULTS = table<CpeFaultCode>({
  9000: 'Method not supported',
  9001: 'Request denied',
  9002: 'Internal error',
  9003: 'Invalid arguments',
  9004: 'Resources exceeded',
  9005: 'Invalid parameter name',
  9006: 'Invalid parameter type',
  9007: 'Invalid parameter value',
  9008: 'Attempt to set a non-writable parameter',
  9009: 'Notification request rejected',
  9010: 'File transfer failure',
  9011: 'Upload failure',
  9012: 'File transfer server authentication failure',
  9013: 'Unsupported protocol for file transfer',
  9014: 'File transfer failure: unable to join multicast group',
  9015: 'File transfer failure: unable to contact file server',
  9016: 'File transfer failure: unable to access file',
  9017: 'File transfer failure: unable to complete download',
  9018: 'File transfer failure: file corrupted',
  9019: 'File transfer failure: file authentication failure',
  9020: 'File transfer failure: unable to complete download within specified time windows',
  9021: 'Cancelation of file transfer not permitted in current transfer state',
  9022: 'Invalid UUID Format',
  9023: 'Unknown Execution Environment',
  9024: 'Disabled Execution Environment',
  9025: 'Deployment Unit to Execution Environment Mismatch',
  9026: 'Duplicate Deployment Unit',
  9027: 'System Resources Exceeded',
  9028: 'Unknown Deployment Unit',
  9029: 'Invalid Deployment Unit State',
  9030: 'Invalid Deployment Unit Update - Downgrade not permitted',
  9031: 'Invalid Deployment Unit Update - Version not specified',
  9032: 'Invalid Deployment Unit Update - Version already exists',
});

/** The catalogue entry for a code, if it is a standard one. */
export function faultInfo(code: number): FaultInfo | undefined {
  return (ACS_FAULTS as Record<number, FaultInfo>)[code] ?? (CPE_FAULTS as Record<number, FaultInfo>)[code];
}

/** The SOAP faultcode for any code: the catalogue's, else "Server" (vendor and reserved codes). */
export function faultcodeOf(code: number): 'Client' | 'Server' {
  return faultInfo(code)?.faultcode ?? 'Server';
}

/** A Fault the ACS sends, e.g. acsFault(8005) or acsFault(8003, 'Inform: DeviceId.OUI missing'). */
export function acsFault(code: AcsFaultCode, message?: string): Fault {
  const info = ACS_FAULTS[code];
  return { method: 'Fault', faultcode: info.faultcode, FaultCode: code, FaultString: message ?? info.string };
}

/** A Fault a CPE sends (used by the simulator); SetParameterValuesFault only for 9003 answers to SetParameterValues. */
export function cpeFault(code: CpeFaultCode, message?: string, setParameterValuesFault?: SetParameterValuesFaultStruct[]): Fault {
  const info = CPE_FAULTS[code];
  const fault: Fault = { method: 'Fault', faultcode: info.faultcode, FaultCode: code, FaultString: message ?? info.string };
  if (setParameterValuesFault) fault.SetParameterValuesFault = setParameterValuesFault;
  return fault;
}
