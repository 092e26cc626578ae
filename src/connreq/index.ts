/**
 * Connection requests (TR-069 §3.2.2 HTTP, Annex G / TR-111 UDP over STUN):
 * the one entry point for the NBI and the server's wiring.
 *
 *   const stun = await startStunServer({ port: 3478, redis, prefix, store, log });
 *   const cr = new ConnectionRequester({ store, redis, prefix, log, stun }, { ratePerSecond: 50 });
 *   await cr.request(deviceKey);     // → { outcome: 'ok' | 'udp-sent' | 'auth-failed' | ... }
 *   await cr.connected(deviceKey);   // from the Inform path: one DEL
 */
export { ConnectionRequester, type ConnectionRequesterDeps, type ConnectionRequesterOptions } from './requester';
export { startStunServer, type StunServer, type StunServerOptions, type StunServerStats } from './stun/server';
export { loadBinding, type StunBinding } from './stun/bindings';
export {
  CREDENTIAL_MAX,
  getConnectionRequestCredentials,
  lastConnectionRequest,
  setConnectionRequestCredentials,
  validateCredentials,
} from './credentials';
export { askedKey } from './keys';
export { delaysWithin, requestUntilAnswered, RETRY_DELAYS_MS } from './persist';
export type * from './types';
