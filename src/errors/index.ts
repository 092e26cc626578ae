/**
 * Exceptions are for bugs and infrastructure; protocol faults are values
 * (see cwmp/soap/fault-codes.ts). Every AcsError has a stable code, matched by
 * code and never by message or instanceof (they cross process boundaries).
 */
export const errorCatalogue = {
  ACS_ERR_BODY_TOO_LARGE: { status: 413, doc: 'Request body over the configured limit' },
  ACS_ERR_BAD_ENCODING: { status: 415, doc: 'Content-Encoding or charset the server cannot decode' },
  ACS_ERR_BAD_BODY: { status: 400, doc: 'Body that could not be read (truncated or corrupt compressed data, or bytes invalid in its charset)' },
  ACS_ERR_BAD_XML: { status: 400, doc: 'Body that is not a well-formed CWMP SOAP envelope' },
  ACS_ERR_UNAUTHORIZED: { status: 401, doc: 'CPE authentication missing or wrong; the WWW-Authenticate header says how' },
  ACS_ERR_NO_SESSION: { status: 400, doc: 'A non-Inform message outside any session' },
  ACS_ERR_OVERLOADED: { status: 503, doc: 'Too many requests in progress; retry after the Retry-After delay' },
  ACS_ERR_UNAVAILABLE: { status: 503, doc: 'The database cannot store what must be durable before the answer (an Inform\'s events); retry after Retry-After' },
  ACS_ERR_TOKEN: { status: 401, doc: 'REST API request without a valid API token (Authorization: Bearer <token>; acs token create)' },
  ACS_ERR_FORBIDDEN: { status: 403, doc: 'The API token\'s scope does not allow this request (read < write < admin)' },
  ACS_ERR_SIGN_IN: { status: 401, doc: 'Web UI sign-in with a wrong user name, password or API token' },
  ACS_ERR_CSRF: { status: 403, doc: 'A write authenticated by the web UI\'s session cookie without the session\'s X-ACS-CSRF header, or from another site (Origin, Sec-Fetch-Site)' },
  ACS_ERR_CLIENT_CERT: { status: 403, doc: 'Client certificate not trusted (CLIENT_AUTH=optional), or not the certificate of the device the Inform names (CWMP_TLS_IDENTITY)' },
  ACS_ERR_RATE_LIMITED: { status: 429, doc: 'Too many requests with this API token; retry after the Retry-After delay' },
  ACS_ERR_METHOD_NOT_ALLOWED: { status: 405, doc: 'The route exists but not with this method; the Allow header lists those it takes' },
  ACS_ERR_NOT_FOUND: { status: 404, doc: 'No such resource' },
  ACS_ERR_BAD_REQUEST: { status: 400, doc: 'Invalid query or body on the northbound API' },
  ACS_ERR_CONFLICT: { status: 409, doc: 'The resource is not in a state that allows this (e.g. cancelling a finished task)' },
  ACS_ERR_CONFIG: { status: 500, doc: 'Invalid setting at startup' },
  ACS_ERR_INTERNAL: { status: 500, doc: 'Unexpected failure (a bug or an unreachable database/Redis)' },
} as const;

export type AcsErrorCode = keyof typeof errorCatalogue;

/** A 400 naming what is wrong with the request (ACS_ERR_BAD_REQUEST). */
export function badRequest(message: string): never {
  throw new AcsError('ACS_ERR_BAD_REQUEST', message);
}

export class AcsError extends Error {
  readonly status: number;
  /** Client errors carry a message meant for the client; server errors do not. */
  readonly expose: boolean;
  constructor(
    readonly code: AcsErrorCode,
    message: string,
  ) {
    super(message);
    this.status = errorCatalogue[code].status;
    this.expose = this.status < 500;
  }
}
