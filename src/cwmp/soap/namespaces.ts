/**
 * SOAP/CWMP namespace URIs.
 *
 * The XSDs define urn:dslforum-org:cwmp-1-0 (CWMP 1.0), -1-1 (1.1) and -1-2
 * (1.2; cwmp-1-3.xsd and cwmp-1-4.xsd keep the -1-2 namespace for 1.3/1.4).
 * Field devices also send -1-3 / -1-4, so any urn:dslforum-org:cwmp-1-N is
 * accepted and a CPE is always answered in its own namespace URI. Which CWMP
 * version a namespace stands for is decided in version.ts.
 */

export const SOAP_ENV_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const SOAP_ENC_NS = 'http://schemas.xmlsoap.org/soap/encoding/';
export const XSD_NS = 'http://www.w3.org/2001/XMLSchema';
export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';

/** Any CWMP namespace URI; the capture is its minor number N of urn:dslforum-org:cwmp-1-N. */
export const CWMP_NS = /^urn:dslforum-org:cwmp-1-(\d+)$/;

export function isCwmpNamespace(ns: string): boolean {
  return CWMP_NS.test(ns);
}
