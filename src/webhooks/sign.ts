/**
 * Delivery signatures: HMAC-SHA256 over `<unix seconds>.<body>` with the
 * subscription's secret, sent as `X-ACS-Signature: t=<unix>,v1=<hex>`, the
 * scheme receivers already verify for other services (the timestamp inside
 * the signed text stops replays of old deliveries).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function signature(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/** What a receiver does (and the tests): true when the header signs this body with this secret, within `toleranceS`. */
export function verifySignature(secret: string, body: string, header: string, nowS = Math.floor(Date.now() / 1000), toleranceS = 300): boolean {
  const parts = new Map(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1') ?? '';
  if (!Number.isSafeInteger(t) || Math.abs(nowS - t) > toleranceS) return false;
  const expected = Buffer.from(signature(secret, body, t).split('v1=')[1], 'hex');
  const given = Buffer.from(v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
