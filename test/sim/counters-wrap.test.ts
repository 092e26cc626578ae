/**
 * TrafficOptions.wrapAfterS: the wrapping counters (xsd:unsignedInt) start
 * just under their wrap and pass it at a known simulated time, still growing
 * with the traffic; the 64-bit ones and the uptime are not touched; a reboot
 * starts every counter from 0 again.
 */
import { strict as assert } from 'node:assert';
import { createDevice, type DeviceModel } from '../../src/sim/model';
import { SimClock, TrafficModel, type DeviceTraffic } from '../../src/sim/traffic';
import { tr181, xx230v } from '../unit/sim/helpers';

const HOUR = 3_600_000;
const NOON = Date.UTC(2026, 11, 5, 12);
// xsd:unsignedInt in the XX230v's data model; xsd:unsignedLong in the generic TR-181 one.
const ETH_RX = 'Device.Ethernet.Interface.1.Stats.BytesReceived';
const IP_RX = 'Device.IP.Interface.1.Stats.BytesReceived';
const WRAP = 2 ** 32;

function counterAt(model: DeviceModel, traffic: DeviceTraffic, path: string, at: number): number {
  const ref = model.lookup(path);
  assert.ok(ref !== undefined, path);
  return Number(traffic.valueAt(model, ref, at));
}

describe('sim counters: wrapAfterS', () => {
  const model = createDevice(xx230v(), { SerialNumber: 'W1' });
  const clock = new SimClock({ start: NOON, speed: 1e-9 });

  it('a 32-bit counter wraps at the time asked, having grown by the traffic of the interval', () => {
    const near = new TrafficModel(clock, { initialUptimeS: 3600, wrapAfterS: 600 }).device('W1');
    const plain = new TrafficModel(clock, { initialUptimeS: 3600 }).device('W1');
    const before = counterAt(model, near, ETH_RX, NOON + 540_000);
    const after = counterAt(model, near, ETH_RX, NOON + 660_000);
    assert.ok(before > WRAP - 2 ** 31 && before < WRAP, String(before));
    assert.ok(after < before, `${after} after ${before}`);
    // Across the wrap it counted what the same device counts without the option, give or take the floors.
    const moved = after + WRAP - before;
    const plainMoved = counterAt(model, plain, ETH_RX, NOON + 660_000) - counterAt(model, plain, ETH_RX, NOON + 540_000);
    assert.ok(plainMoved > 0);
    assert.ok(Math.abs(moved - plainMoved) <= 1, `${moved} vs ${plainMoved}`);
    // Just before the time asked it is under the wrap, just after it has passed it.
    assert.ok(counterAt(model, near, ETH_RX, NOON + 599_000) > counterAt(model, near, ETH_RX, NOON + 601_000));
  });

  it('leaves 64-bit counters and the uptime as they are', () => {
    const wide = createDevice(tr181(), { SerialNumber: 'W1' });
    const near = new TrafficModel(clock, { initialUptimeS: 3600, wrapAfterS: 600 }).device('W1');
    const plain = new TrafficModel(clock, { initialUptimeS: 3600 }).device('W1');
    for (const path of [IP_RX, 'Device.DeviceInfo.UpTime']) assert.equal(counterAt(wide, near, path, NOON + HOUR), counterAt(wide, plain, path, NOON + HOUR), path);
    // The clock crawls (1e-9) from when the suite loaded: the boot is a fraction of a ms after NOON - 1 h, and the uptime's floor may be a second short.
    const uptime = counterAt(model, near, 'Device.DeviceInfo.UpTime', NOON + HOUR);
    assert.ok(uptime === 7200 || uptime === 7199, String(uptime));
  });

  it('a reboot starts the counters from 0, as without the option', () => {
    const near = new TrafficModel(clock, { initialUptimeS: 3600, wrapAfterS: 600 }).device('W1');
    near.reboot(NOON + 300_000);
    const plain = new TrafficModel(clock, { initialUptimeS: 3600 }).device('W1');
    plain.reboot(NOON + 300_000);
    assert.equal(counterAt(model, near, ETH_RX, NOON + HOUR), counterAt(model, plain, ETH_RX, NOON + HOUR));
    assert.ok(counterAt(model, near, ETH_RX, NOON + HOUR) < 2 ** 31);
  });
});
