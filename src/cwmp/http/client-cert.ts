/**
 * CPE authentication by client certificate (mTLS): the TLS handshake proved
 * the certificate chains to CWMP_TLS_CA; this checks that it belongs to the
 * device the Inform names (CWMP_TLS_IDENTITY). Without that check any
 * trusted CPE could speak for any other device.
 */
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { Config } from '../../config/load';
import type { DeviceIdStruct } from '../soap/types';
import { deviceKeyOf } from '../../model/device-key';

/** What session handling needs from a verified client certificate. */
export interface ClientCertificate {
  /** Subject common name ('' when there is none). */
  cn: string;
  /** subjectAltName entries without their type prefix (DNS:, URI:, IP Address: ...). */
  altNames: string[];
}

export type IdentityRule = Config['cwmpTlsIdentity'];

/** The connection's client certificate, when the handshake verified one; null otherwise (plain HTTP, none sent). */
export function clientCertificateOf(socket: Socket): ClientCertificate | null {
  if (!(socket instanceof TLSSocket) || !socket.authorized) return null;
  const peer = socket.getPeerCertificate();
  if (!peer.raw) return null;
  const cn = peer.subject?.CN;
  return {
    cn: (Array.isArray(cn) ? cn[0] : cn) ?? '',
    altNames: (peer.subjectaltname ?? '').split(', ').filter(Boolean).map((n) => n.slice(n.indexOf(':') + 1)),
  };
}

/**
 * Why `cert` does not name the device `id` under `rule`, or null when it
 * does. cn-device-id takes the id both as written (OUI-ProductClass-Serial)
 * and as the ACS encodes it (a "-" inside a part as %2D).
 */
export function identityMismatch(rule: IdentityRule, cert: ClientCertificate, id: DeviceIdStruct): string | null {
  const serial = id.SerialNumber;
  switch (rule) {
    case 'none':
      return null;
    case 'cn-serial':
      return cert.cn === serial ? null : `certificate CN "${cert.cn}" is not the SerialNumber "${serial}"`;
    case 'cn-device-id': {
      const plain = `${id.OUI}-${id.ProductClass}-${serial}`;
      return cert.cn === plain || cert.cn === deviceKeyOf(id) ? null : `certificate CN "${cert.cn}" is not the device id "${plain}"`;
    }
    case 'contains-serial':
      return serial !== '' && [cert.cn, ...cert.altNames].some((n) => n.includes(serial))
        ? null
        : `neither the certificate CN "${cert.cn}" nor a subjectAltName contains the SerialNumber "${serial}"`;
  }
}
