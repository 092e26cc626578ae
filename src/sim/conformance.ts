import { decode } from '../cwmp/soap/decode';
import type { CwmpEnvelope, CwmpMessage } from '../cwmp/soap/types';
import type { PostOk } from './transport/acs-client';
import { withWireBooleans } from './quirks';

/**
 * The simulator as a conformance checker: what the ACS sends is checked
 * against TR-069 before the simulated CPE acts on it, and every violation is
 * reported with the device's id. A violation never crashes the simulator.
 */
export type AcsAnswer =
  | { kind: 'message'; envelope: CwmpEnvelope; violations: string[] }
  | { kind: 'end'; violations: string[] }
  | { kind: 'refused'; status: number; body: string; violations: string[] };

const CPE_METHODS = new Set([
  'GetRPCMethods', 'SetParameterValues', 'GetParameterValues', 'GetParameterNames', 'SetParameterAttributes',
  'GetParameterAttributes', 'AddObject', 'DeleteObject', 'Reboot', 'FactoryReset', 'Download', 'Upload',
  'ScheduleInform', 'ScheduleDownload', 'CancelTransfer', 'ChangeDUState', 'GetQueuedTransfers', 'GetAllQueuedTransfers',
]);

export function isCpeMethod(msg: CwmpMessage): boolean {
  return CPE_METHODS.has(msg.method);
}

/** Reads an HTTP answer of the ACS: a CWMP message (200), the end of the session (204) or a refusal. */
export function readAnswer(res: PostOk, namespace: string): AcsAnswer {
  const violations: string[] = [];
  if (res.status === 204) {
    if (res.body.length > 0) violations.push('204 response with a body (TR-069 §3.4.1: empty responses have no content)');
    return { kind: 'end', violations };
  }
  if (res.status !== 200) return { kind: 'refused', status: res.status, body: res.body.trim(), violations };
  if (res.body.trim() === '') {
    violations.push('200 response with an empty body: the ACS MUST use 204 for an empty response');
    return { kind: 'end', violations };
  }
  if (!/^text\/xml/i.test(String(res.headers['content-type'] ?? ''))) {
    violations.push(`Content-Type "${res.headers['content-type'] ?? ''}" is not text/xml`);
  }
  const decoded = decode(res.body);
  if (!decoded.ok) return { kind: 'refused', status: 200, body: res.body, violations: [...violations, `undecodable ${decoded.kind}: ${decoded.reason}`] };
  for (const w of decoded.warnings) violations.push(`lenient decode: ${w}`);
  if (decoded.envelope.namespace !== namespace) {
    violations.push(`answered in ${decoded.envelope.namespace}, not in the CPE's namespace ${namespace}`);
  }
  // The CPE judges booleans as written (quirk spv-boolean-digits), not as the decoder made them.
  return { kind: 'message', envelope: { ...decoded.envelope, body: withWireBooleans(decoded.envelope.body, res.body) }, violations };
}

/** Checks the ACS answered a CPE request with the matching response and echoed our cwmp:ID. */
export function checkResponse(envelope: CwmpEnvelope, request: string, sentId: string | undefined): string[] {
  const out: string[] = [];
  const method = envelope.body.method;
  if (method !== `${request}Response` && method !== 'Fault') out.push(`answered ${request} with ${method}`);
  if (sentId !== undefined && envelope.header.ID !== sentId) {
    out.push(`cwmp:ID not echoed for ${request}: sent "${sentId}", got "${envelope.header.ID ?? ''}"`);
  }
  return out;
}

/** Checks an ACS request before the CPE executes it. */
export function checkAcsRequest(envelope: CwmpEnvelope): string[] {
  const out: string[] = [];
  if (!isCpeMethod(envelope.body)) out.push(`${envelope.body.method} is not a request an ACS may send a CPE`);
  if (envelope.header.ID === undefined) out.push(`${envelope.body.method} without a cwmp:ID header`);
  return out;
}
