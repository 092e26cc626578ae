/**
 * Zero-touch orders (issue 10 §3): an order for a serial number the ACS has
 * never seen; the simulated device makes its first contact; the order's
 * provision configures it; a webhook receiver gets order.applied, signed,
 * exactly once by delivery id. Idempotent ids, 409 for another body, cancel,
 * replace, and bad orders refused naming the field.
 */
import { strict as assert } from 'node:assert';
import { deviceKeyOf } from '../../src/model/device-key';
import { Fleet } from '../../src/sim/fleet';
import { loadModel } from '../../src/sim/load-model';
import { verifySignature } from '../../src/webhooks';
import { dirWith } from '../helpers/files';
import { until } from '../helpers/wait';
import { ORDER_MODEL, setterScript, SSID, startOrderSuite, type OrderSuite } from './suite';

const SECRET = 'order-hooks-secret-0123';
const KEY = 'Device.WiFi.SSID.2.SSID';

describe('orders: zero-touch provisioning from an order system (simulator, webhooks)', function () {
  this.timeout(120_000);
  let s: OrderSuite;

  before(async () => {
    const provisions = dirWith({
      'set-ssid.js': setterScript(SSID),
      'set-key.js': setterScript(KEY),
    });
    // A preset no session would apply by itself (an event no device sends): only an order gives it.
    const presets = dirWith({
      'wifi.yaml': 'events: ["X 00D09E NEVER"]\nprovisions:\n  - [set-ssid, "from-preset"]\n  - [set-key, "preset-passphrase"]\n',
      'tags-only.yaml': 'events: ["X 00D09E NEVER"]\nprovisions: []\n',
    });
    s = await startOrderSuite('orders', { provisionsDir: provisions, presetsDir: presets, sessionTimeoutMs: 5000 }, SECRET);
  });
  after(async () => {
    await s?.close();
  });

  const post = (body: unknown) => s.post(body);
  const order = (id: string) => s.order(id);

  it('refuses bad orders naming the field, and stores nothing', async () => {
    const service = { provision: 'set-ssid', args: ['x'] };
    const cases: [unknown, RegExp][] = [
      [{ device: { serialNumber: 'S' }, service }, /^id must be/],
      [{ id: 'o 1', device: { serialNumber: 'S' }, service }, /^id must be/],
      [{ id: 'o1', device: {}, service }, /device needs id or serialNumber/],
      [{ id: 'o1', device: { id: 'A-B-C', serialNumber: 'C' }, service }, /not both/],
      [{ id: 'o1', device: { serialNumber: 'S' }, service: { provision: 'nope' } }, /service.provision: no provision named "nope"/],
      [{ id: 'o1', device: { serialNumber: 'S' }, service: { workflow: 'nope' } }, /service.workflow: no workflow named "nope"/],
      [{ id: 'o1', device: { serialNumber: 'S' }, service: { provision: 'set-ssid', args: [{}] } }, /service.args of a provision/],
      [{ id: 'o1', device: { serialNumber: 'S' }, service: { preset: 'x' } }, /service.preset: no preset named "x"/],
      [{ id: 'o1', device: { serialNumber: 'S' }, service: { preset: 'wifi', args: ['x'] } }, /service.args: a preset runs its provisions with the arguments its definition gives/],
      [{ id: 'o1', device: { serialNumber: 'S' }, service: { preset: 'tags-only' } }, /service.preset: preset tags-only has 0 provisions; an order runs 1 to 100/],
      [{ id: 'o1', device: { serialNumber: 'S' }, service: {} }, /service needs provision, preset or workflow/],
    ];
    for (const [body, message] of cases) {
      const r = await post(body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.match(((await r.json()) as { error: string }).error, message);
    }
    assert.deepEqual(await (await s.t.nbi('/orders')).json(), []);
  });

  it('is idempotent by id; another body under the id is 409; a pending order can be replaced and cancelled', async () => {
    const body = { id: 'ord-idem', device: { serialNumber: 'NEVER-SEEN' }, service: { provision: 'set-ssid', args: ['a'] } };
    assert.equal((await post(body)).status, 201);
    const again = await post({ service: body.service, device: body.device, id: body.id });
    assert.equal(again.status, 200, 'the same order, keys in another order');
    const other = await post({ ...body, service: { provision: 'set-ssid', args: ['b'] } });
    assert.equal(other.status, 409);
    const replaced = await s.t.nbi('/orders/ord-idem', { method: 'PUT', body: JSON.stringify({ device: body.device, service: { provision: 'set-ssid', args: ['b'] } }) });
    assert.equal(replaced.status, 200);
    assert.deepEqual(((await replaced.json()) as { service: unknown }).service, { provision: 'set-ssid', args: ['b'] });
    const cancelled = await s.t.nbi('/orders/ord-idem', { method: 'DELETE' });
    assert.equal(((await cancelled.json()) as { status: string }).status, 'cancelled');
    assert.equal((await s.t.nbi('/orders/ord-idem', { method: 'DELETE' })).status, 409);
    const late = await s.t.nbi('/orders/ord-idem', { method: 'PUT', body: JSON.stringify({ device: body.device, service: { provision: 'set-ssid', args: ['c'] } }) });
    assert.equal(late.status, 409, 'a cancelled order cannot be replaced');
    assert.deepEqual((await order('ord-idem')).service, { provision: 'set-ssid', args: ['b'] });
    assert.equal((await s.t.nbi('/orders/nope')).status, 404);
  });

  it('applies an order for an unknown serial in the device\'s first session (its BOOTSTRAP); order.applied arrives once, signed', async () => {
    const serial = 'ZT000000';
    const created = await post({ id: 'ord-zt-1', device: { serialNumber: serial }, service: { provision: 'set-ssid', args: ['zero-touch'] } });
    assert.equal(created.status, 201);
    assert.equal((await order('ord-zt-1')).status, 'pending', 'the device was never seen: it waits');

    const fleet = await Fleet.create({ acsUrl: s.t.cwmpUrl, model: loadModel(ORDER_MODEL), devices: 1, serialBase: 'ZT', concurrency: 1, connectionRequests: true });
    s.fleets.push(fleet);
    const sim = fleet.devices[0];
    assert.equal(sim.deviceId().SerialNumber, serial);
    await fleet.connectAll('0 BOOTSTRAP');
    assert.equal(sim.model.getValue(SSID), 'zero-touch', 'configured in the BOOTSTRAP session');
    // The session's commit tells the run its task is done; the run, then the order, end in the workers.
    await until('the order applied', async () => ['applied', 'failed'].includes((await order('ord-zt-1')).status), 15_000);
    assert.equal(fleet.stats.sessions, 1, 'no session but the first');
    const final = await order('ord-zt-1');
    assert.equal(final.status, 'applied', final.reason ?? '');
    assert.equal(sim.model.getValue(SSID), 'zero-touch', 'the device is configured');
    await until('the webhook', async () => s.got.some((g) => g.event === 'order.applied'), 15_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const applied = s.got.filter((g) => g.event === 'order.applied');
    assert.equal(applied.length, 1, 'once');
    assert.equal(verifySignature(SECRET, applied[0].raw, applied[0].signature), true, 'signed');
    assert.equal(applied[0].data.order, 'ord-zt-1');
    assert.equal(applied[0].device, final.deviceKey);
    assert.equal((await post({ id: 'ord-zt-1', device: { serialNumber: serial }, service: { provision: 'set-ssid', args: ['zero-touch'] } })).status, 200, 'the order system may send it again');
    assert.equal((await s.t.nbi('/orders/ord-zt-1', { method: 'DELETE' })).status, 409, 'an applied order cannot be cancelled');
    const replaced = await s.t.nbi('/orders/ord-zt-1', { method: 'PUT', body: JSON.stringify({ device: { serialNumber: serial }, service: { provision: 'set-ssid', args: ['other'] } }) });
    assert.equal(replaced.status, 409, 'nor replaced');
    assert.deepEqual([(await order('ord-zt-1')).status, (await order('ord-zt-1')).service], ['applied', { provision: 'set-ssid', args: ['zero-touch'] }]);
  });

  it('applies a preset order to a known device now: its provisions run once, in order, with the preset\'s arguments, in the one session the connection request brings', async () => {
    const fleet = await Fleet.create({ acsUrl: s.t.cwmpUrl, model: loadModel(ORDER_MODEL), devices: 1, serialBase: 'PRE', concurrency: 1, connectionRequests: true });
    s.fleets.push(fleet);
    const sim = fleet.devices[0];
    await fleet.connectAll('0 BOOTSTRAP');
    const key = deviceKeyOf(sim.deviceId());
    const serial = sim.deviceId().SerialNumber;
    const credentials = await s.t.nbi(`/devices/${encodeURIComponent(key)}/connection-request-credentials`, { method: 'PUT', body: JSON.stringify({ username: `cr-${serial}`, password: `crpw-${serial}` }) });
    assert.equal(credentials.status, 204);
    const before = fleet.stats.sessions;
    const created = await post({ id: 'ord-preset-1', device: { serialNumber: serial }, service: { preset: 'wifi' } });
    assert.equal(created.status, 201);
    await until('the preset order applied', async () => ['applied', 'failed'].includes((await order('ord-preset-1')).status), 30_000);
    const final = await order('ord-preset-1');
    assert.equal(final.status, 'applied', final.reason ?? '');
    assert.equal(sim.model.getValue(SSID), 'from-preset');
    assert.equal(sim.model.getValue(KEY), 'preset-passphrase');
    assert.equal(fleet.stats.sessions - before, 1, 'both provisions in the connection request\'s session');
    const task = await onlyTask(key);
    assert.deepEqual(task.args, { provisions: [{ provision: 'set-ssid', args: ['from-preset'] }, { provision: 'set-key', args: ['preset-passphrase'] }] });
    assert.deepEqual((task.result as { provisions: { provision: string }[] }).provisions.map((p) => p.provision), ['set-ssid', 'set-key']);
    await until('the webhook', async () => s.got.some((g) => g.event === 'order.applied' && g.data.order === 'ord-preset-1'), 15_000);
    assert.deepEqual(s.got.find((g) => g.data.order === 'ord-preset-1')?.data.service, { preset: 'wifi' });
  });

  it('applies a preset order for an unknown serial behind NAT in its BOOTSTRAP session: every provision of the preset, one session in all', async () => {
    const fleet = await Fleet.create({ acsUrl: s.t.cwmpUrl, model: loadModel(ORDER_MODEL), devices: 1, serialBase: 'PNA', concurrency: 1, connectionRequests: false });
    s.fleets.push(fleet);
    const sim = fleet.devices[0];
    const created = await post({ id: 'ord-preset-nat', device: { serialNumber: sim.deviceId().SerialNumber }, service: { preset: 'wifi' } });
    assert.equal(created.status, 201);
    await fleet.connectAll('0 BOOTSTRAP');
    assert.equal(sim.model.getValue(SSID), 'from-preset', 'the first provision, in the first session');
    assert.equal(sim.model.getValue(KEY), 'preset-passphrase', 'the second too, in the same session');
    await until('the preset order applied', async () => ['applied', 'failed'].includes((await order('ord-preset-nat')).status), 15_000);
    const final = await order('ord-preset-nat');
    assert.equal(final.status, 'applied', final.reason ?? '');
    assert.equal(fleet.stats.sessions, 1, 'the BOOTSTRAP session only');
  });

  /** The device's one task (the order's run made it). */
  async function onlyTask(key: string): Promise<{ args: unknown; result: unknown }> {
    const tasks = (await (await s.t.nbi(`/devices/${encodeURIComponent(key)}/tasks`)).json()) as { args: unknown; result: unknown }[];
    assert.equal(tasks.length, 1, 'one task for the whole preset');
    return tasks[0];
  }
});
