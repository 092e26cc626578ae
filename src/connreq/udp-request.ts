/**
 * The UDP connection request (TR-069 Annex G, TR-111 Part 2): one signed
 * datagram (`GET http://host:port?ts&id&un&cn&sig HTTP/1.1`, sig = hex
 * HMAC-SHA1 keyed with ConnectionRequestPassword over ts|id|un|cn), sent
 * several times because UDP may lose it and nothing answers. The copies share
 * ts and id, so a CPE acts on the first and ignores the others as replays.
 *
 * Sent from the STUN server's socket when this process has one: the CPE's NAT
 * binding was opened towards that address and port, and a restricted-cone NAT
 * drops datagrams from anywhere else. Without one, from a throwaway socket
 * (fine for a CPE with a public address or a full-cone NAT).
 */
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { buildUdpConnectionRequest } from '../sim/conn-request/udp-message';
import type { ConnectionRequestCredentials, UdpAddress } from './types';

export interface UdpRequestOptions {
  /** Datagrams sent (default 3). */
  copies: number;
  /** Between copies (default 100 ms). */
  intervalMs: number;
}

export const UDP_DEFAULTS: UdpRequestOptions = { copies: 3, intervalMs: 100 };

/** Sends a datagram; the STUN server's `send` fits. */
export type UdpSender = (datagram: Buffer, port: number, host: string) => Promise<void>;

export async function udpConnectionRequest(
  to: UdpAddress,
  credentials: ConnectionRequestCredentials,
  send: UdpSender | null,
  options: UdpRequestOptions = UDP_DEFAULTS,
): Promise<void> {
  const text = buildUdpConnectionRequest({ host: to.host, port: to.port, username: credentials.username, password: credentials.password });
  const datagram = Buffer.from(text, 'latin1');
  const sender: { send: UdpSender; close?: () => void } = send ? { send } : throwaway(to.host);
  try {
    for (let i = 0; i < Math.max(1, options.copies); i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, options.intervalMs));
      await sender.send(datagram, to.port, to.host);
    }
  } finally {
    sender.close?.();
  }
}

function throwaway(host: string): { send: UdpSender; close: () => void } {
  const socket = dgram.createSocket(isIPv6(host) ? 'udp6' : 'udp4');
  return {
    send: (datagram, port, to) => new Promise((resolve, reject) => socket.send(datagram, port, to, (err) => (err ? reject(err) : resolve()))),
    close: () => socket.close(),
  };
}

/** "host:port" or "[v6]:port"; a bare "host" (allowed by TR-181) names no port we could trust, so it is not usable. */
export function parseUdpAddress(raw: string | null): UdpAddress | null {
  if (!raw) return null;
  const m = /^\[([0-9a-fA-F:.]+)\]:(\d{1,5})$/.exec(raw.trim()) ?? /^([^:\s]+):(\d{1,5})$/.exec(raw.trim());
  if (!m) return null;
  const port = Number(m[2]);
  return port > 0 && port < 65536 ? { host: m[1], port } : null;
}
