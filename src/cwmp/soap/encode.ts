/**
 * Typed message -> CWMP SOAP 1.1 envelope text, with template strings (about
 * ten times cheaper than an XML builder). Strict in what it sends: fixed
 * prefixes soap-env/soap-enc/xsd/xsi/cwmp, header entries only when set with
 * the mustUnderstand values the XSDs require, exact soap-enc:arrayType sizes,
 * xsi:type on every Value, everything escaped. The cwmp namespace is the
 * caller's: answer a CPE in the namespace it used.
 */
import { writeHeader } from './header';
import { codecOf } from './methods';
import { SOAP_ENC_NS, SOAP_ENV_NS, XSD_NS, XSI_NS } from './namespaces';
import type { CwmpHeader, CwmpMessage } from './types';
import { escapeXml } from './xml';

const OPEN =
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  `<soap-env:Envelope xmlns:soap-env="${SOAP_ENV_NS}" xmlns:soap-enc="${SOAP_ENC_NS}"` +
  ` xmlns:xsd="${XSD_NS}" xmlns:xsi="${XSI_NS}" xmlns:cwmp="`;

/** The complete SOAP envelope for one message, starting with the XML declaration. */
export function encode(envelope: { header: CwmpHeader; body: CwmpMessage; namespace: string }): string {
  const { header, body, namespace } = envelope;
  return `${OPEN}${escapeXml(namespace)}">${writeHeader(header)}` +
    `<soap-env:Body>${codecOf(body).encode(body)}</soap-env:Body></soap-env:Envelope>`;
}
