/**
 * Gathers how to reach a device, in one go: the stored credentials (they win:
 * a CPE answers "" when the ACS reads ConnectionRequestPassword), the cached
 * ManagementServer parameters (TR-181 Device. or TR-098
 * InternetGatewayDevice.), and the STUN binding (it wins over the cached
 * UDPConnectionRequestAddress: it is the NAT's public side, seen just now).
 */
import { batched } from '../db/coalesce';
import type Redis from 'ioredis';
import type { DeviceKey, DeviceStore } from '../db/types';
import { placeholders } from '../db/sql';
import { loadBinding } from './stun/bindings';
import type { ConnectionRequestCredentials, ConnectionTarget } from './types';
import { parseUdpAddress } from './udp-request';

const ROOTS = ['Device.ManagementServer.', 'InternetGatewayDevice.ManagementServer.'];
const LEAVES = ['ConnectionRequestURL', 'ConnectionRequestUsername', 'ConnectionRequestPassword', 'UDPConnectionRequestAddress'] as const;
type Leaf = (typeof LEAVES)[number];
const PATHS = ROOTS.flatMap((root) => LEAVES.map((leaf) => root + leaf));

/** What the database knows: the stored credentials and the cached leaves, in one query (a task POST with ?connection_request is a hot path). */
interface Stored {
  credentials: ConnectionRequestCredentials | null;
  values: Map<string, string | null>;
}

// From a one-row table: stored credentials count even for a device that never informed.
const STORED_SQL = `SELECT c.username, c.password, p.path, p.value FROM (SELECT ? AS k) x
  LEFT JOIN connection_requests c ON c.device_key = x.k
  LEFT JOIN devices d ON d.device_key = x.k
  LEFT JOIN device_parameters p ON p.device_id = d.id AND p.path IN ${placeholders(PATHS.length)}`;

async function readStored(store: DeviceStore, deviceKey: DeviceKey): Promise<Stored> {
  // Sent with the reads of other connection requests under way (a fan-out asks thousands at once).
  const { rows } = await batched(store.sql, 'connection-request-reads', { sql: STORED_SQL, params: [deviceKey, ...PATHS] });
  const first = rows[0];
  const username = first?.username;
  const credentials = username === null || username === undefined ? null : { username: String(username), password: String(first.password ?? '') };
  const values = new Map(rows.flatMap((r) => (r.path === null || r.path === undefined ? [] : [[String(r.path), r.value === null ? null : String(r.value)] as const])));
  return { credentials, values };
}

export async function resolveTarget(store: DeviceStore, redis: Redis, prefix: string, deviceKey: DeviceKey): Promise<ConnectionTarget> {
  const [stored, binding] = await Promise.all([readStored(store, deviceKey), loadBinding(redis, prefix, deviceKey)]);
  const value = cachedValues(stored.values);
  const udpParam = parseUdpAddress(value('UDPConnectionRequestAddress'));
  return {
    deviceKey,
    url: value('ConnectionRequestURL'),
    credentials: stored.credentials ?? cachedCredentials(value),
    udp: binding ? { host: binding.host, port: binding.port, source: 'stun' } : udpParam ? { ...udpParam, source: 'parameter' } : null,
  };
}

/** A leaf's cached value under whichever root the device uses; null when missing or empty. */
function cachedValues(values: Map<string, string | null>): (leaf: Leaf) => string | null {
  return (leaf) => {
    for (const root of ROOTS) {
      const v = values.get(root + leaf);
      if (v !== null && v !== undefined && v !== '') return v;
    }
    return null;
  };
}

function cachedCredentials(value: (leaf: Leaf) => string | null): ConnectionRequestCredentials | null {
  const username = value('ConnectionRequestUsername');
  return username === null ? null : { username, password: value('ConnectionRequestPassword') ?? '' };
}
