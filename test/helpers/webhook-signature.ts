/**
 * A receiver's check of `X-ACS-Signature: t=<unix>,v1=<hex>` (HMAC-SHA256
 * of `${t}.${rawBody}`), written from the README with node:crypto alone: the
 * suites that use it test src/webhooks/sign.ts from outside, not with itself.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** True when the header signs `raw` with `secret` and its time is within 5 minutes of `nowS`. */
export function signatureHolds(secret: string, raw: string, header: string, nowS = Math.floor(Date.now() / 1000)): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!m) return false;
  const t = Number(m[1]);
  if (Math.abs(nowS - t) > 300) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${raw}`).digest();
  return timingSafeEqual(expected, Buffer.from(m[2], 'hex'));
}
