/** The CWMP SOAP codec: decode/encode envelopes, fault catalogue, version negotiation. */
export { decode, type DecodeFailure, type DecodeFailureKind, type DecodeResult } from './decode';
export { encode } from './encode';
export { ACS_FAULTS, acsFault, CPE_FAULTS, cpeFault, faultcodeOf, faultInfo, type AcsFaultCode, type CpeFaultCode, type FaultInfo } from './fault-codes';
export { CWMP_METHODS } from './methods';
export { isCwmpNamespace } from './namespaces';
export { cwmpVersionOfNamespace, namespaceOfVersion, negotiateVersion, SUPPORTED_CWMP_VERSIONS, type Negotiation } from './version';
export type * from './types';
