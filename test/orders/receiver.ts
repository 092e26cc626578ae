/**
 * The order suites' webhook receiver: subscribed through the REST API to
 * order.applied and order.failed, it keeps each delivery with its raw body
 * and headers (a suite checks the signature its own way).
 */
import { strict as assert } from 'node:assert';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestAcs } from '../helpers/acs';

export interface OrderDelivery {
  id: string;
  event: string;
  device: string | null;
  data: Record<string, unknown>;
  raw: string;
  signature: string;
  deliveryHeader: string;
}

export interface OrderReceiver {
  got: OrderDelivery[];
  close(): Promise<void>;
}

export async function orderReceiver(t: TestAcs, secret: string): Promise<OrderReceiver> {
  const got: OrderDelivery[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const p = JSON.parse(raw) as Omit<OrderDelivery, 'raw' | 'signature' | 'deliveryHeader'>;
      got.push({ ...p, raw, signature: String(req.headers['x-acs-signature'] ?? ''), deliveryHeader: String(req.headers['x-acs-delivery'] ?? '') });
      res.statusCode = 200;
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/orders`;
  const sub = await t.nbi('/webhooks', { method: 'POST', body: JSON.stringify({ url, events: ['order.applied', 'order.failed'], secret }) });
  assert.equal(sub.status, 201);
  return { got, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
