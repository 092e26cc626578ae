/**
 * The rules read by the real series store (src/qoe/series) on MariaDB: frames
 * ingested as a device would report them (a counter by alias, the uptime
 * going back at a reboot) raise the alerts the same expressions raise on the
 * in-memory stand-in. A check that the two parts read each other alike
 * (aliases, per-second rates, reboot points, the exclusive end of a range).
 */
import { strict as assert } from 'node:assert';
import { openStore } from '../../src/db';
import type { DeviceStore } from '../../src/db/types';
import { createLogger } from '../../src/log';
import { evaluateProfile } from '../../src/qoe/alerts/evaluation';
import { AlertStore } from '../../src/qoe/alerts/store';
import { createSeriesStore, DEFAULT_RETENTION, type SeriesStore } from '../../src/qoe/series';
import type { CollectionProfile, Frame } from '../../src/qoe/types';
import type { AcsEvent } from '../../src/webhooks/types';
import { dropMysqlDatabase, mysqlUrl } from '../helpers/db';

const MIN = 60_000;
const ERRORS = 'Device.IP.Interface.1.Stats.ErrorsReceived';
const PROFILE: CollectionProfile = {
  name: 'wan', intervalS: 300, retention: DEFAULT_RETENTION,
  parameters: [{ path: 'Device.IP.Interface.*.Stats.ErrorsReceived', kind: 'counter', bits: 32, alias: 'WANErrors' }],
};

describe('qoe alerts: rules on the real series store (MariaDB)', function () {
  this.timeout(60_000);
  const url = mysqlUrl('qoe_alerts_series_test');
  let store: DeviceStore;
  let series: SeriesStore;
  let alerts: AlertStore;
  const events: AcsEvent[] = [];

  before(async () => {
    await dropMysqlDatabase(url);
    store = await openStore(url);
    await store.migrate();
    series = createSeriesStore(store.sql, { profiles: (name) => (name === PROFILE.name ? PROFILE : undefined) });
    alerts = new AlertStore(store.sql);
  });
  after(async () => store?.close());

  const frame = (device: string, time: number, errors: number, uptimeS: number): Frame => ({ device, profile: 'wan', time, values: { [ERRORS]: errors }, uptimeS });
  const evaluate = (at: number) => evaluateProfile({ store: alerts, series, sql: store.sql, log: createLogger('silent'), emit: async (e) => void events.push(...e) }, 'wan', at);

  it('raises rate(WANErrors) > 10/min for 15 min on 15/min for 20 minutes, and reboots > 0 in 1 h after the uptime went back', async () => {
    const now = Date.now() - (Date.now() % MIN);
    const rule = { precondition: null, severity: 'major' as const, webhook: true, workflow: null, workflowArgs: {}, cooldownS: 0, enabled: true };
    await alerts.createRule({ ...rule, name: 'errors', profile: 'wan', expression: 'rate(WANErrors) > 10/min for 15 min' }, now);
    await alerts.createRule({ ...rule, name: 'reboots', profile: 'wan', expression: 'reboots > 0 in 1 h' }, now);
    // 75 errors every 5 minutes: 0.25/s, 15/min; the quiet device 1 error each time.
    const noisy = '00D09E-HG8245-SERIES1';
    const quiet = '00D09E-HG8245-SERIES2';
    const frames: Frame[] = [];
    for (let i = 0; i <= 4; i++) {
      const time = now - (4 - i) * 5 * MIN;
      frames.push(frame(noisy, time, 1000 + 75 * i, 10_000 + 300 * i), frame(quiet, time, 50 + i, 10_000 + 300 * i));
    }
    const stored = await series.ingest(frames);
    assert.equal(stored.frames, 10, JSON.stringify(stored.dropped));
    const r1 = await evaluate(now);
    assert.deepEqual(r1, { devices: 2, raised: 1, cleared: 0 });
    assert.equal(events[0].device, noisy);
    assert.equal(events[0].data.rule, 'errors');
    assert.ok(Math.abs((events[0].data.value as number) - 15) < 1e-6, `value ${events[0].data.value}`);
    assert.equal(events[0].data.path, ERRORS);

    // The quiet device reboots: uptime back to 30 s, its counter reset.
    await series.ingest([frame(quiet, now + MIN, 2, 30)]);
    const r2 = await evaluate(now + 2 * MIN);
    assert.equal(r2.raised, 1, JSON.stringify(events));
    assert.deepEqual(events.slice(1).map((e) => [e.device, e.data.rule, e.data.value]), [[quiet, 'reboots', 1]]);
  });
});
