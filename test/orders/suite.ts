/**
 * What the order suites share: a test ACS, a webhook receiver subscribed
 * through the REST API to order.applied and order.failed (it keeps each
 * delivery with its raw body and headers: a suite checks the signature its
 * own way), the simulator fleets to close, and the order routes.
 */
import { strict as assert } from 'node:assert';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Fleet } from '../../src/sim/fleet';
import type { Config } from '../../src/config/load';
import path from 'node:path';
import { startTestAcs, type TestAcs } from '../helpers/acs';

/** The real CPE data model the order suites simulate. */
export const ORDER_MODEL = path.resolve(__dirname, '../../../shared/samples/device-models/device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv');
/** What the suites' set-ssid provision sets. */
export const SSID = 'Device.WiFi.SSID.1.SSID';
/** A provision setting `parameter` to its first argument. */
export const setterScript = (parameter: string): string => `declare('${parameter}', { value: Date.now() }, { value: args[0] });\n`;

export interface OrderDelivery {
  id: string;
  event: string;
  device: string | null;
  data: Record<string, unknown>;
  raw: string;
  signature: string;
  deliveryHeader: string;
}

export interface OrderView {
  id: string;
  status: string;
  deviceKey: string | null;
  reason: string | null;
  runId: string | null;
  service: unknown;
}

export interface OrderSuite {
  t: TestAcs;
  got: OrderDelivery[];
  fleets: Fleet[];
  post(body: unknown): Promise<Response>;
  order(id: string): Promise<OrderView>;
  close(): Promise<void>;
}

export async function startOrderSuite(name: string, options: Partial<Config>, secret: string): Promise<OrderSuite> {
  const t = await startTestAcs(name, options);
  const receiver = await orderReceiver(t, secret);
  const fleets: Fleet[] = [];
  return {
    t,
    got: receiver.got,
    fleets,
    post: (body) => t.nbi('/orders', { method: 'POST', body: JSON.stringify(body) }),
    order: async (id) => (await (await t.nbi(`/orders/${encodeURIComponent(id)}`)).json()) as OrderView,
    close: async () => {
      await Promise.all(fleets.map((f) => f.close()));
      await receiver.close();
      await t.stop();
    },
  };
}

async function orderReceiver(t: TestAcs, secret: string): Promise<{ got: OrderDelivery[]; close(): Promise<void> }> {
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
