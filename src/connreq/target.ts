/**
 * Gathers how to reach a device, in one go: the stored credentials (they win:
 * a CPE answers "" when the ACS reads ConnectionRequestPassword), the cached
 * ManagementServer parameters (TR-181 Device. or TR-098
 * InternetGatewayDevice.), and the STUN binding (it wins over the cached
 * UDPConnectionRequestAddress: it is the NAT's public side, seen just now).
 */
import type Redis from 'ioredis';
import type { CachedParameter, DeviceKey, DeviceStore } from '../db/types';
import { getConnectionRequestCredentials } from './credentials';
import { loadBinding } from './stun/bindings';
import type { ConnectionRequestCredentials, ConnectionTarget } from './types';
import { parseUdpAddress } from './udp-request';

const ROOTS = ['Device.ManagementServer.', 'InternetGatewayDevice.ManagementServer.'];
const LEAVES = ['ConnectionRequestURL', 'ConnectionRequestUsername', 'ConnectionRequestPassword', 'UDPConnectionRequestAddress'] as const;
type Leaf = (typeof LEAVES)[number];

export async function resolveTarget(store: DeviceStore, redis: Redis, prefix: string, deviceKey: DeviceKey): Promise<ConnectionTarget> {
  const [stored, rows, binding] = await Promise.all([
    getConnectionRequestCredentials(store.sql, deviceKey),
    store.getParametersUnder(deviceKey, ROOTS.flatMap((root) => LEAVES.map((leaf) => root + leaf))),
    loadBinding(redis, prefix, deviceKey),
  ]);
  const value = cachedValues(rows);
  const udpParam = parseUdpAddress(value('UDPConnectionRequestAddress'));
  return {
    deviceKey,
    url: value('ConnectionRequestURL'),
    credentials: stored ?? cachedCredentials(value),
    udp: binding ? { host: binding.host, port: binding.port, source: 'stun' } : udpParam ? { ...udpParam, source: 'parameter' } : null,
  };
}

/** A leaf's cached value under whichever root the device uses; null when missing or empty. */
function cachedValues(rows: CachedParameter[]): (leaf: Leaf) => string | null {
  return (leaf) => {
    for (const root of ROOTS) {
      const v = rows.find((r) => r.path === root + leaf)?.value;
      if (v !== null && v !== undefined && v !== '') return v;
    }
    return null;
  };
}

function cachedCredentials(value: (leaf: Leaf) => string | null): ConnectionRequestCredentials | null {
  const username = value('ConnectionRequestUsername');
  return username === null ? null : { username, password: value('ConnectionRequestPassword') ?? '' };
}
