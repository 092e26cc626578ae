import { errorCatalogue, type AcsErrorCode } from '../../errors';
import { encode } from '../soap/encode';
import type { CwmpHeader, CwmpMessage, Fault } from '../soap/types';

/** What the HTTP layer sends back for one CWMP POST. */
export interface CwmpReply {
  status: number;
  /** SOAP envelope, or a one-line reason for 4xx/5xx replies without CWMP content. */
  body?: string;
  contentType?: string;
  headers?: Record<string, string>;
  /** Bind the CPE's next requests to this session (cookie and connection). */
  sessionId?: string;
  /** The session is over: forget the connection's binding. */
  ended?: boolean;
}

const XML = 'text/xml; charset="utf-8"';

export function soapReply(namespace: string, header: CwmpHeader, body: CwmpMessage, sessionId?: string): CwmpReply {
  return { status: 200, body: encode({ header, body, namespace }), contentType: XML, sessionId };
}

/** A CWMP fault answering a CPE request; TR-069 wants faults in 200 responses. */
export function faultReply(namespace: string, id: string | undefined, fault: Fault, sessionId?: string): CwmpReply {
  return soapReply(namespace, id === undefined ? {} : { ID: id }, fault, sessionId);
}

/** An HTTP error without CWMP content: the catalogue's status and a one-line reason. */
export function errorReply(code: AcsErrorCode, text: string, headers?: Record<string, string>): CwmpReply {
  return { status: errorCatalogue[code].status, body: text + '\n', contentType: 'text/plain; charset=utf-8', headers };
}

/** 204 No Content: the ACS has nothing more; the session ends (TR-069 §3.7.1.5). */
export function endReply(): CwmpReply {
  return { status: 204, ended: true };
}
