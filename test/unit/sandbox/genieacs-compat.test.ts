/**
 * Issue 11 §1, the sandbox's part: GenieACS's script semantics. Reading a
 * declare() result commits implicitly; Date.now(interval[, variance]) and
 * Date.now(cron) give the start of the device's current window; the API
 * (args included) is global, so a script may declare its own `args`.
 */
import { strict as assert } from 'node:assert';
import { deviceOffset, windowStart } from '../../../src/sandbox/date-window';
import { MemoryDeviceView } from '../../../src/sandbox/device-view';
import type { Declaration, DeviceView } from '../../../src/sandbox/types';
import { sandboxSuite } from '../../helpers/sandbox-suite';
import { row, sampleRows, T0 } from './helpers';

const HOUR = 3_600_000;

/** A view over the sample device that records what commit checks ask. */
function recordingView(): { view: DeviceView; asked: string[][] } {
  const base = MemoryDeviceView.from(sampleRows());
  const asked: string[][] = [];
  const view: DeviceView = {
    lookup: (p) => base.lookup(p),
    satisfied: (ds: readonly Declaration[]) => (asked.push(ds.map((d) => d.path)), base.satisfied(ds)),
  };
  return { view, asked };
}

describe('sandbox: GenieACS script semantics (issue 11)', function () {
  this.timeout(10_000);
  const { run, ok } = sandboxSuite('g');

  describe('reading a declare() result commits implicitly', function () {
    // Read at T0; the runs' now is T0 + 60 s: { value: now } asks for a fresher read than the cache has.
    const stale = `declare('Device.DeviceInfo.SoftwareVersion', { value: Date.now() })`;
    for (const [what, read] of [
      ['.value', 'r.value'],
      ['.size', 'r.size'],
      ['.path', 'r.path'],
      ['.writable', 'r.writable'],
      ['.object', 'r.object'],
      ['.notification', 'r.notification'],
      ['.accessList', 'r.accessList'],
      ['iterating', '[...r]'],
      ['for...of', '(() => { for (const p of r) return p; })()'],
    ]) {
      it(`${what} of an unmet declaration stops the run there, with everything declared so far`, async function () {
        const r = await ok(`log('before');\nconst r = ${stale};\ndeclare('Device.WiFi.SSID.1.SSID', null, { value: 'x' });\nconst got = ${read};\nlog('after', got);\ndeclare('Device.Never');\n`);
        assert.equal(r.done, false);
        assert.equal(r.stop, 'commit');
        assert.deepEqual(r.logs, ['before']);
        assert.deepEqual(r.declarations.map((d) => d.path), ['Device.DeviceInfo.SoftwareVersion', 'Device.WiFi.SSID.1.SSID']);
      });
    }

    it('a met declaration reads as before, and the run goes on', async function () {
      const r = await ok(`
        const v = declare('Device.DeviceInfo.SoftwareVersion', { value: ${T0} });
        const ssids = declare('Device.WiFi.SSID.*.SSID', { path: ${T0}, value: 1 });
        log(v.value[0], v.size, v.path, ssids.size, [...ssids].map((p) => p.value[0]).join());
      `);
      assert.equal(r.done, true);
      assert.deepEqual(r.logs, ['2.0.0 1 Device.DeviceInfo.SoftwareVersion 2 home,guest']);
    });

    it('the same script replays to its end once the cache holds what it asked (the engine\'s loop)', async function () {
      const source = `const v = ${stale};\nlog('version', v.value[0]);\n`;
      const first = await ok(source);
      assert.equal(first.stop, 'commit');
      const fresh = sampleRows().map((x) => (x.path === 'Device.DeviceInfo.SoftwareVersion' ? { ...x, value: '2.1.0', valueTime: T0 + 60_000 } : x));
      const replay = await ok(source, { view: MemoryDeviceView.from(fresh) });
      assert.equal(replay.done, true);
      assert.deepEqual(replay.logs, ['version 2.1.0']);
    });

    it('a pending write commits with the read: the read waits until the device is as declared', async function () {
      const r = await ok(`
        declare('Device.ManagementServer.PeriodicInformInterval', null, { value: 300 });
        const v = declare('Device.DeviceInfo.SoftwareVersion', { value: 1 });
        log(v.value[0]);
      `);
      assert.equal(r.stop, 'commit', 'the interval is 3600 in the cache');
      assert.deepEqual(r.logs, []);
    });

    it('checks each pending declaration once: a read with nothing pending asks nothing', async function () {
      const { view, asked } = recordingView();
      await ok(`
        const a = declare('Device.DeviceInfo.SoftwareVersion', { value: 1 });
        log(a.value[0]); log(a.size);
        const b = declare('Device.WiFi.SSID.1.SSID', { value: 1 });
        declare('Device.WiFi.SSID.2.SSID', { value: 1 });
        log(a.value[0], b.value[0]);
        commit();
      `, { view });
      assert.deepEqual(asked, [['Device.DeviceInfo.SoftwareVersion'], ['Device.WiFi.SSID.1.SSID', 'Device.WiFi.SSID.2.SSID']]);
    });

    it('DeviceID.* and Events.* commit nothing (they come from the session)', async function () {
      const { view, asked } = recordingView();
      const r = await ok(`
        declare('Device.ManagementServer.PeriodicInformInterval', null, { value: 300 });
        log(declare('DeviceID.SerialNumber', { value: 1 }).value[0], declare('Events.2_PERIODIC').size);
      `, { view });
      assert.deepEqual(r.logs, ['SN0001 1']);
      assert.equal(r.done, true);
      assert.deepEqual(asked, []);
    });

    it('a missing path that is known absent reads as empty, with no stop', async function () {
      const r = await ok(`
        const igd = declare('InternetGatewayDevice.DeviceInfo.SoftwareVersion', { value: 1 });
        log(igd.size, igd.value, [...igd].length);
      `, { view: MemoryDeviceView.from([row('InternetGatewayDevice.', null, { valueTime: T0 }), ...sampleRows()]) });
      assert.equal(r.done, true);
      assert.deepEqual(r.logs, ['0 undefined 0']);
    });

    it('a script that catches the stop cannot read on, and what it returns is dropped', async function () {
      const r = await ok(`
        let v;
        try { v = ${stale}.value; } catch (e) { log('caught'); }
        try { v = declare('Device.WiFi.SSID.1.SSID', { value: 1 }).value; } catch (e) { /* stopped already */ }
        return { value: ['x'] };
      `);
      assert.equal(r.stop, 'commit');
      assert.deepEqual(r.logs, [], 'log() after the stop is refused too');
      assert.equal(r.returned, undefined);
    });
  });

  describe('Date.now(interval[, variance]) and Date.now(cron)', function () {
    const key = '00147F-XX230v-SN0001';

    it('windowStart: the start of the window holding now, shifted by the device\'s offset within the interval', function () {
      const offset = deviceOffset(key, HOUR);
      assert.ok(offset >= 0 && offset < HOUR);
      for (const now of [T0, T0 + 1, T0 + HOUR / 2, T0 + 5 * HOUR + 17]) {
        const start = windowStart(now, key, { every: HOUR, variance: null });
        assert.equal(typeof start, 'number');
        const s = start as number;
        assert.ok(s <= now && now < s + HOUR, `${s} <= ${now} < ${s + HOUR}`);
        assert.equal((s + offset) % HOUR, 0, 'windows start at whole hours, less the offset');
      }
    });

    it('windowStart: offsets differ per device and stay within the variance; 0 means none', function () {
      const offsets = new Set<number>();
      for (let i = 0; i < 50; i++) {
        const o = deviceOffset(`00147F-XX230v-SN${i}`, 600_000);
        assert.ok(o >= 0 && o < 600_000);
        offsets.add(o);
      }
      assert.ok(offsets.size > 45, `50 devices, ${offsets.size} offsets`);
      assert.equal(windowStart(T0 + 123, key, { every: 1000, variance: 0 }), T0);
      const small = windowStart(T0 + 10, key, { every: HOUR, variance: 60_000 }) as number;
      assert.equal((small + deviceOffset(key, 60_000)) % HOUR, 0);
    });

    it('windowStart: a cron\'s latest minute at or before now (UTC), shifted only when a variance is given', function () {
      const now = Date.UTC(2024, 4, 1, 10, 42, 13, 500);
      assert.equal(windowStart(now, key, { every: '0 * * * *', variance: null }), Date.UTC(2024, 4, 1, 10, 0));
      assert.equal(windowStart(now, key, { every: '30 2 * * *', variance: null }), Date.UTC(2024, 4, 1, 2, 30));
      assert.equal(windowStart(now, key, { every: '@daily', variance: null }), Date.UTC(2024, 4, 1));
      const shifted = windowStart(now, key, { every: '0 * * * *', variance: HOUR }) as number;
      const o = deviceOffset(key, HOUR);
      assert.ok(shifted <= now && now < shifted + HOUR);
      assert.equal(new Date(shifted + o).getUTCMinutes(), 0);
    });

    it('windowStart: says what is wrong', function () {
      const error = (every: number | string, variance: number | null = null) => (windowStart(T0, key, { every, variance }) as { error: string }).error;
      assert.match(error(0), /interval must be 1 ms or more, not 0/);
      assert.match(error(-5), /not -5/);
      assert.match(error(Infinity), /not Infinity/);
      assert.match(error(HOUR, -1), /variance must be 0 or more ms, not -1/);
      assert.match(error('61 * * * *'), /cron "61 \* \* \* \*": minute: .*\(column 1\)/);
      assert.match(error('hourly'), /5 fields/);
      assert.match(error('0 '.repeat(150)), /a cron of 300 characters, more than 200/);
    });

    it('in a script: the window start for this device at the run\'s now; no argument is now', async function () {
      const now = T0 + 12_345;
      const r = await ok(`log(Date.now(), Date.now(null), Date.now(${HOUR}), Date.now(${HOUR}, 0), Date.now('0 * * * *'), new Date().getTime());`, { now });
      const hourly = windowStart(now, key, { every: HOUR, variance: null });
      const top = Math.floor(now / HOUR) * HOUR;
      assert.deepEqual(r.logs, [`${now} ${now} ${hourly} ${top} ${top} ${now}`]);
    });

    it('{ value: Date.now(interval) } reads at most once per window', async function () {
      const source = `log(declare('Device.DeviceInfo.UpTime', { value: Date.now(${HOUR}) }).value[0]);`;
      const now = T0 + 10 * HOUR;
      const start = windowStart(now, key, { every: HOUR, variance: null }) as number;
      const viewAt = (valueTime: number) => MemoryDeviceView.from(sampleRows().map((x) => (x.path === 'Device.DeviceInfo.UpTime' ? { ...x, valueTime } : x)));
      assert.equal((await ok(source, { now, view: viewAt(start) })).done, true, 'read at the window\'s start: fresh');
      assert.equal((await ok(source, { now, view: viewAt(start - 1) })).stop, 'commit', 'read before it: stale');
      assert.equal((await ok(source, { now: start + HOUR, view: viewAt(start) })).stop, 'commit', 'the next window wants it again');
    });

    it('bad arguments are a script.error at the calling line', async function () {
      const cases: [string, RegExp][] = [
        ['Date.now(0)', /RangeError: Date.now\(\): the interval must be 1 ms or more/],
        ['Date.now("every hour")', /RangeError: Date.now\(\): cron "every hour"/],
        ['Date.now({})', /TypeError: Date.now\(\): the argument must be an interval in ms or a cron expression/],
        ['Date.now(1000, "x")', /TypeError: Date.now\(\): variance must be a number/],
      ];
      for (const [call, message] of cases) {
        const r = await run(`const a = 1;\nconst t = ${call};`);
        assert.equal(r.fault?.code, 'script.error', call);
        assert.match(r.fault.message, message, call);
        assert.equal(r.fault.line, 2, call);
      }
    });
  });

  describe('args and the API are globals', function () {
    for (const [what, source, logs] of [
      ['let args', `let args = ['mine'];\nlog(args[0]);`, ['mine']],
      ['const args', `const args = 5;\nlog(args);`, ['5']],
      ['var args in a function', `function f() { var args = 2; return args; }\nlog(f(), args[0]);`, ['2 preset']],
      ['let log', `const out = [];\n{ let log = (x) => out.push(x); log(1); }\nlog(out.length);`, ['1']],
      ['a parameter named args', `const f = (args) => args * 2;\nlog(f(4), args.length);`, ['8 1']],
    ] as const) {
      it(`a script may declare its own: ${what}`, async function () {
        const r = await ok(source, { args: ['preset'] });
        assert.deepEqual(r.logs, logs);
      });
    }

    it('args reads the run\'s copy; assigning to it is a TypeError at its line', async function () {
      assert.deepEqual((await ok('log(typeof args, globalThis.args[0], args === globalThis.args)', { args: ['x'] })).logs, ['object x true']);
      const r = await run(`log(args[0]);\nargs = ['other'];`, { args: ['x'] });
      assert.equal(r.fault?.code, 'script.error');
      assert.match(r.fault.message, /^TypeError: .*args/);
      assert.equal(r.fault.line, 2);
    });

    it('the globals cannot be replaced or changed for the next run', async function () {
      const attempts = [
        'declare = () => 1;',
        'globalThis.ext = () => 1;',
        'Object.defineProperty(globalThis, "args", { value: [1] });',
        'Object.getOwnPropertyDescriptor(globalThis, "args").get.leak = 1;',
        'log.leak = 1;',
      ];
      for (const attempt of attempts) {
        const r = await run(`${attempt}\n`);
        assert.equal(r.fault?.code, 'script.error', attempt);
        assert.match(r.fault.message, /TypeError/, attempt);
      }
      const r = await ok('log(typeof Object.getOwnPropertyDescriptor(globalThis, "args").get.leak, typeof log.leak, args.length)', { args: ['a', 'b'] });
      assert.deepEqual(r.logs, ['undefined undefined 2']);
    });
  });
});
