/**
 * Zero-touch orders (issue 10 §3), what orders.test.ts leaves out: the ACS
 * applies an order through its own connection request (the test never opens
 * a session after the device's first contact), for a known online device and
 * for a serial seen for the first time at its BOOTSTRAP; an order whose
 * provision the CPE refuses ends failed with the fault, told once to a
 * webhook receiver whose signature is checked here with node:crypto alone;
 * devices named by OUI + serial and by full id; a serial two devices share.
 */
import { strict as assert } from 'node:assert';
import { deviceKeyOf } from '../../src/model/device-key';
import { Fleet, type FleetOptions } from '../../src/sim/fleet';
import { loadModel } from '../../src/sim/load-model';
import { dirWith } from '../helpers/files';
import { until } from '../helpers/wait';
import { signatureHolds } from '../helpers/webhook-signature';
import { inform, ScriptedCpe } from '../helpers/cpe';
import { informParameters } from '../../src/sim/cpe/inform';
import { ORDER_MODEL, setterScript, SSID, startOrderSuite, type OrderDelivery, type OrderSuite, type OrderView } from './suite';

const SECRET = 'orders-more-secret-4567';

describe('orders: applied through the ACS\'s connection requests; failures, device naming (simulator, webhooks)', function () {
  this.timeout(120_000);
  let s: OrderSuite;

  before(async () => {
    const provisions = dirWith({ 'set-ssid.js': setterScript(SSID) });
    // A workflow whose first step asks the device to connect, as the shipped ones do.
    const workflows = dirWith({
      'wifi-order.yaml': 'args:\n  ssid: { description: the SSID }\nsteps:\n  - name: wifi\n    task: { name: provision, provision: set-ssid, args: ["{{args.ssid}}"] }\n    connectionRequest: true\n    timeout: 1h\n',
    });
    s = await startOrderSuite('orders_more', { provisionsDir: provisions, workflowsDir: workflows, sessionTimeoutMs: 5000 }, SECRET);
  });
  after(async () => {
    await s?.close();
  });

  const post = (body: unknown) => s.post(body);
  const order = (id: string) => s.order(id);
  const devicePath = (key: string) => `/devices/${encodeURIComponent(key)}`;

  /**
   * One simulated CPE with an HTTP connection-request endpoint; counts the
   * connection requests the simulator accepted (each queues a "6 CONNECTION
   * REQUEST" session).
   */
  async function simulated(serialBase: string, extra: Partial<FleetOptions> = {}) {
    const fleet = await Fleet.create({ acsUrl: s.t.cwmpUrl, model: loadModel(ORDER_MODEL), devices: 1, serialBase, concurrency: 1, connectionRequests: true, ...extra });
    s.fleets.push(fleet);
    const sim = fleet.devices[0];
    const counts = { connectionRequests: 0 };
    const connect = fleet.connect.bind(fleet);
    fleet.connect = (device, event) => {
      if (event === '6 CONNECTION REQUEST') counts.connectionRequests++;
      connect(device, event);
    };
    const key = deviceKeyOf(sim.deviceId());
    return { fleet, sim, key, counts, serial: sim.deviceId().SerialNumber, oui: sim.deviceId().OUI };
  }

  /** The connection-request credentials the simulator checks (cr-<serial> / crpw-<serial>), told to the ACS as an operator would. */
  async function tellCredentials(key: string, serial: string): Promise<void> {
    const r = await s.t.nbi(`${devicePath(key)}/connection-request-credentials`, { method: 'PUT', body: JSON.stringify({ username: `cr-${serial}`, password: `crpw-${serial}` }) });
    assert.equal(r.status, 204);
  }

  async function settled(id: string, ms: number): Promise<OrderView> {
    await until(`order ${id} applied or failed`, async () => ['applied', 'failed'].includes((await order(id)).status), ms);
    return order(id);
  }

  async function lastConnectionRequest(key: string): Promise<{ outcome: string; via: string | null; message: string; time: number } | null> {
    const r = await s.t.nbi(devicePath(key));
    if (r.status === 404) return null;
    assert.equal(r.status, 200);
    return ((await r.json()) as { connectionRequest: { outcome: string; via: string | null; message: string; time: number } | null }).connectionRequest;
  }

  /** The order's webhook deliveries of `event`, after a pause for late duplicates. */
  async function deliveriesOf(orderId: string, event: string): Promise<OrderDelivery[]> {
    await until(`${event} for ${orderId}`, async () => s.got.some((g) => g.event === event && g.data.order === orderId), 15_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    return s.got.filter((g) => g.data.order === orderId);
  }

  it('a known, online device: the order is applied now through the ACS\'s connection request, the test opening no session', async () => {
    const d = await simulated('ONL');
    await d.fleet.connectAll('0 BOOTSTRAP');
    await tellCredentials(d.key, d.serial);
    const sessions = d.fleet.stats.sessions;
    const created = await post({ id: 'ord-online', device: { serialNumber: d.serial }, service: { provision: 'set-ssid', args: ['online-now'] } });
    assert.equal(created.status, 201);
    assert.equal(((await created.json()) as OrderView).deviceKey, d.key, 'known: bound to the device at once');
    const final = await settled('ord-online', 20_000);
    assert.equal(final.status, 'applied', final.reason ?? '');
    assert.equal(d.sim.model.getValue(SSID), 'online-now', 'the device is configured');
    assert.equal(d.counts.connectionRequests, 1, 'the simulator accepted one connection request');
    assert.ok(d.fleet.stats.sessions - sessions >= 1, 'the session that applied it was the connection request\'s');
    // Recorded once the CPE answered; the session it brought may have ended first.
    await until('the ACS\'s record of the connection request', async () => (await lastConnectionRequest(d.key))?.outcome === 'ok', 5_000);
    assert.equal((await lastConnectionRequest(d.key))?.via, 'http');
    const device = await s.t.acs.store.getDevice(d.key);
    assert.ok((device?.history ?? []).some((h) => h.kind === 'inform' && JSON.stringify(h.detail).includes('6 CONNECTION REQUEST')), 'the ACS saw a "6 CONNECTION REQUEST" session');
    const hooks = await deliveriesOf('ord-online', 'order.applied');
    assert.deepEqual(hooks.map((h) => h.event), ['order.applied']);
  });

  it('an unknown serial behind NAT (no connection request can reach it, no credentials known): configured in its BOOTSTRAP session, and no connection request tried', async () => {
    const d = await simulated('NAT', { connectionRequests: false });
    const created = await post({ id: 'ord-nat', device: { serialNumber: d.serial }, service: { provision: 'set-ssid', args: ['behind-nat'] } });
    assert.equal(created.status, 201);
    assert.equal((await order('ord-nat')).status, 'pending', 'never seen: it waits');
    await d.fleet.connectAll('0 BOOTSTRAP');
    assert.equal(d.sim.model.getValue(SSID), 'behind-nat', 'set in the first session');
    const final = await settled('ord-nat', 15_000);
    assert.equal(final.status, 'applied', final.reason ?? '');
    assert.equal(final.deviceKey, d.key);
    assert.equal(d.fleet.stats.sessions, 1, 'the BOOTSTRAP session only');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(await lastConnectionRequest(d.key), null, 'the ACS never tried a connection request');
    const hooks = await deliveriesOf('ord-nat', 'order.applied');
    assert.deepEqual(hooks.map((h) => h.event), ['order.applied']);
  });

  it('a workflow order whose first step asks for a connection request, for an unknown serial behind NAT: carried out in its BOOTSTRAP session; the request, held while that session ran, is dropped (the session did the task)', async () => {
    const d = await simulated('WFN', { connectionRequests: false });
    const created = await post({ id: 'ord-wf-nat', device: { serialNumber: d.serial }, service: { workflow: 'wifi-order', args: { ssid: 'wf-first' } } });
    assert.equal(created.status, 201, await created.clone().text());
    await d.fleet.connectAll('0 BOOTSTRAP');
    assert.equal(d.sim.model.getValue(SSID), 'wf-first', 'set in the first session');
    const final = await settled('ord-wf-nat', 15_000);
    assert.equal(final.status, 'applied', final.reason ?? '');
    assert.equal(d.fleet.stats.sessions, 1);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(await lastConnectionRequest(d.key), null, 'no connection request attempted, during the session or after it');
  });

  it('when the BOOTSTRAP Inform cannot look at the orders (a database error), the session\'s end looks again and applies them through a connection request', async () => {
    const deps = s.t.acs.deps;
    assert.ok(deps?.orders);
    const real = deps.orders;
    const waits: number[] = [];
    deps.orders = {
      onBootstrap: (identity, waitMs) => {
        waits.push(waitMs);
        return waits.length === 1 ? Promise.reject(new Error('injected: orders table unreachable')) : real.onBootstrap(identity, waitMs);
      },
    };
    try {
      const d = await simulated('UNR');
      await tellCredentials(d.key, d.serial);
      assert.equal((await post({ id: 'ord-unread', device: { serialNumber: d.serial }, service: { provision: 'set-ssid', args: ['second-look'] } })).status, 201);
      await d.fleet.connectAll('0 BOOTSTRAP');
      const final = await settled('ord-unread', 20_000);
      assert.equal(final.status, 'applied', final.reason ?? '');
      assert.equal(d.sim.model.getValue(SSID), 'second-look');
      assert.deepEqual(waits, [3000, 0], 'looked at as the session opened (failed), then as it ended');
      assert.equal(d.counts.connectionRequests, 1, 'brought back by a connection request');
    } finally {
      deps.orders = real;
    }
  });

  it('an order that arrives during the device\'s first session (after its Inform): applied through a connection request sent once that session is over', async () => {
    const d = await simulated('MID');
    await tellCredentials(d.key, d.serial);
    const cpe = new ScriptedCpe(s.t.cwmpUrl);
    // The simulated CPE's own Inform (its id, its connection-request URL), sent by the test so that it can act between the Inform and the empty POST.
    const informed = await cpe.post(inform(d.serial, ['0 BOOTSTRAP'], { DeviceId: d.sim.deviceId(), ParameterList: informParameters(d.sim.model) }));
    assert.equal(informed.envelope?.body.method, 'InformResponse');
    const created = await post({ id: 'ord-mid', device: { serialNumber: d.serial }, service: { provision: 'set-ssid', args: ['mid-session'] } });
    assert.equal(created.status, 201);
    assert.equal((await order('ord-mid')).status, 'applying', 'its Inform stored the device: applied as to a known device');
    // The run's task and its connection request: deferred while the session is open (the ACS does not know the device's URL yet).
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(d.counts.connectionRequests, 0, 'no connection request during the session');
    assert.equal(await lastConnectionRequest(d.key), null, 'nor any attempt recorded');
    const ended = await cpe.post(null);
    cpe.close();
    assert.equal(ended.status, 204, 'nothing for this session: the order came after its Inform');
    const final = await settled('ord-mid', 20_000);
    assert.equal(final.status, 'applied', final.reason ?? '');
    assert.equal(d.sim.model.getValue(SSID), 'mid-session');
    assert.equal(d.counts.connectionRequests, 1, 'asked to connect once');
    assert.equal((await lastConnectionRequest(d.key))?.outcome, 'ok');
  });

  it('a provision the CPE refuses: the order ends failed with the fault; order.failed arrives once by delivery id, signed (checked with node:crypto)', async () => {
    const d = await simulated('FLT', { faults: { every: 1, spv: 9007 } });
    await d.fleet.connectAll('0 BOOTSTRAP');
    await tellCredentials(d.key, d.serial);
    const created = await post({ id: 'ord-fault', device: { serialNumber: d.serial }, service: { provision: 'set-ssid', args: ['refused'] } });
    assert.equal(created.status, 201);
    const final = await settled('ord-fault', 20_000);
    assert.equal(final.status, 'failed');
    assert.match(final.reason ?? '', /^step provision: task provision fault cwmp\.9003: SetParameterValues: .*Device\.WiFi\.SSID\.1\.SSID: 9007/, `the fault in the reason: ${final.reason}`);
    assert.notEqual(d.sim.model.getValue(SSID), 'refused');
    const hooks = await deliveriesOf('ord-fault', 'order.failed');
    assert.equal(hooks.length, 1, `once: ${hooks.map((h) => `${h.event} ${h.id}`).join(', ')}`);
    const [hook] = hooks;
    assert.equal(new Set(s.got.filter((g) => g.id === hook.id).map((g) => g.id)).size, 1);
    assert.equal(s.got.filter((g) => g.id === hook.id).length, 1, 'no second delivery under its id');
    assert.equal(hook.deliveryHeader, hook.id, 'X-ACS-Delivery is the delivery id');
    assert.match(hook.signature, /^t=\d+,v1=[0-9a-f]{64}$/);
    assert.equal(signatureHolds(SECRET, hook.raw, hook.signature), true, 'HMAC-SHA256 over `${t}.${body}`');
    assert.equal(signatureHolds('another-secret', hook.raw, hook.signature), false, 'the check can fail');
    assert.equal(signatureHolds(SECRET, hook.raw.replace('ord-fault', 'ord-faulT'), hook.signature), false, 'a changed body fails');
    assert.equal(hook.device, d.key);
    assert.equal(hook.data.reason, final.reason);
    assert.deepEqual(hook.data.service, { provision: 'set-ssid', args: ['refused'] });
  });

  it('orders naming the device by OUI + serial and by full id go to that device; a serial two devices share fails, saying so', async () => {
    const a = await simulated('TWN', { oui: '00AA01' });
    const b = await simulated('TWN', { oui: '00AA02' });
    assert.equal(a.serial, b.serial);
    assert.notEqual(a.key, b.key);
    await Promise.all([a.fleet.connectAll('0 BOOTSTRAP'), b.fleet.connectAll('0 BOOTSTRAP')]);
    await tellCredentials(a.key, a.serial);
    await tellCredentials(b.key, b.serial);

    const byOui = await post({ id: 'ord-oui', device: { oui: '00AA02', serialNumber: a.serial }, service: { provision: 'set-ssid', args: ['by-oui'] } });
    assert.equal(byOui.status, 201);
    const oui = await settled('ord-oui', 20_000);
    assert.equal(oui.status, 'applied', oui.reason ?? '');
    assert.equal(oui.deviceKey, b.key);
    assert.equal(b.sim.model.getValue(SSID), 'by-oui');
    assert.notEqual(a.sim.model.getValue(SSID), 'by-oui');

    const byId = await post({ id: 'ord-full-id', device: { id: a.key }, service: { provision: 'set-ssid', args: ['by-id'] } });
    assert.equal(byId.status, 201);
    const full = await settled('ord-full-id', 20_000);
    assert.equal(full.status, 'applied', full.reason ?? '');
    assert.equal(full.deviceKey, a.key);
    assert.equal(a.sim.model.getValue(SSID), 'by-id');
    assert.equal(b.sim.model.getValue(SSID), 'by-oui', 'the other device untouched');

    const ambiguous = await post({ id: 'ord-twins', device: { serialNumber: a.serial }, service: { provision: 'set-ssid', args: ['which'] } });
    assert.equal(ambiguous.status, 201, 'taken, then failed');
    const twins = (await ambiguous.json()) as OrderView;
    assert.equal(twins.status, 'failed');
    assert.equal(twins.deviceKey, null);
    assert.equal(twins.runId, null);
    assert.equal(twins.reason, `several devices have serial number ${a.serial}: name the device by id or OUI`);
    assert.equal((await order('ord-twins')).reason, twins.reason);
    const hooks = await deliveriesOf('ord-twins', 'order.failed');
    assert.equal(hooks.length, 1);
    assert.equal(hooks[0].data.reason, twins.reason);
    assert.equal(signatureHolds(SECRET, hooks[0].raw, hooks[0].signature), true);
    assert.notEqual(a.sim.model.getValue(SSID), 'which');
    assert.notEqual(b.sim.model.getValue(SSID), 'which');
  });
});
