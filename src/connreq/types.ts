/**
 * The domain of connection requests: what the ACS asks with, and what came of
 * it. Plain data, shared by the HTTP and UDP paths and the NBI.
 */
import type { DeviceKey, EpochMs } from '../db/types';

/**
 * What came of one `request()`:
 * - 'ok': the CPE answered 200/204 (it will open a session, TR-069 §3.2.2);
 * - 'udp-sent': the signed datagrams went out (Annex G has no reply);
 * - 'auth-failed': the CPE refused our credentials;
 * - 'timeout' | 'refused' | 'unreachable': nothing answered (offline);
 * - 'http-<status>': any other HTTP answer (503: the CPE limits the rate);
 * - 'no-url': neither a usable ConnectionRequestURL nor a UDP address;
 * - 'no-credentials': UDP only: nothing to sign with;
 * - 'rate-limited': our own limits (per device or cluster-wide) said no;
 * - 'already-asked': asked before and no Inform since (not recorded);
 * - 'in-session': the device is in a session with the ACS now: it is asked
 *   once that session is over (a CPE in session answers 503, or connects
 *   after it; and what the session's Inform brought, such as a first
 *   ConnectionRequestURL, is stored only as it ends);
 * - 'error': a bug or a store/Redis failure (message says which).
 */
export type ConnectionRequestResult =
  | 'ok'
  | 'udp-sent'
  | 'auth-failed'
  | 'timeout'
  | 'refused'
  | 'unreachable'
  | `http-${number}`
  | 'no-url'
  | 'no-credentials'
  | 'rate-limited'
  | 'already-asked'
  | 'in-session'
  | 'error';

export type ConnectionRequestVia = 'http' | 'udp';

export interface ConnectionRequestOutcome {
  deviceKey: DeviceKey;
  outcome: ConnectionRequestResult;
  /** Which path produced the outcome (none when nothing was sent). */
  via: ConnectionRequestVia | null;
  /** One line for an operator: the URL or address tried, the status, the error. */
  message: string;
  time: EpochMs;
}

/** The last recorded attempt, as `GET /devices/:id` shows it. */
export interface LastConnectionRequest {
  time: EpochMs;
  outcome: ConnectionRequestResult;
  via: ConnectionRequestVia | null;
  message: string;
}

/** ConnectionRequestUsername / ConnectionRequestPassword of one device. */
export interface ConnectionRequestCredentials {
  username: string;
  password: string;
}

/** A UDP endpoint ("host:port" split). */
export interface UdpAddress {
  host: string;
  port: number;
}

/** Everything known about how to reach a device, gathered before asking. */
export interface ConnectionTarget {
  deviceKey: DeviceKey;
  /** ManagementServer.ConnectionRequestURL (cached), if any. */
  url: string | null;
  credentials: ConnectionRequestCredentials | null;
  /** From the STUN binding, else ManagementServer.UDPConnectionRequestAddress. */
  udp: (UdpAddress & { source: 'stun' | 'parameter' }) | null;
}
