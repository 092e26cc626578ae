/**
 * What a device lacks stays known (issue 11 §1), end to end: the real server
 * (MariaDB, Redis, engine) and simulated CPEs built from the sample devices,
 * strict ones and ones with the quirk gpv-omits-missing. A GenieACS-style
 * script declares parameters under both roots and vendor paths no sample
 * has: the first session finds out what is absent, the next ones ask nothing
 * about it; a clear() and a BOOTSTRAP make the engine ask again.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CpeRequest } from '../../src/cwmp/soap/types';
import { deviceKeyOf } from '../../src/model/device-key';
import { ROOT_LISTING } from '../../src/model/root-listing';
import { Fleet } from '../../src/sim/fleet';
import { loadModel } from '../../src/sim/load-model';
import { parseQuirks } from '../../src/sim/quirks';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { requestsOf } from '../helpers/sim-sessions';

const MODELS = path.resolve(__dirname, '../../../shared/samples/device-models');
const SAMPLES = [
  { label: 'TR-098', file: 'device-00259E-EG8145V5-48575443A94196A5-2023-03-28T154335106Z.csv', root: 'InternetGatewayDevice' },
  { label: 'TR-181', file: 'device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv', root: 'Device' },
] as const;

const SCRIPT = `
const now = Date.now();
if (declare('Tags.forget', {value: 1}).size) {
  clear('Device', now);
  clear('InternetGatewayDevice', now);
  declare('Tags.forget', null, {value: false});
}
const seen = [];
for (const root of ['InternetGatewayDevice', 'Device']) {
  seen.push(declare(root + '.DeviceInfo.SoftwareVersion', {value: now}));
  seen.push(declare(root + '.DeviceInfo.X_ACME_Serial', {value: now}));
  seen.push(declare(root + '.X_ACME_Extras.*.Name', {value: now}));
}
commit();
log(seen.map((r) => r.size).join(''));
`;

const LIST_ROOT: CpeRequest = { method: 'GetParameterNames', ParameterPath: '', NextLevel: true };

describe('absent paths stay known across sessions (issue 11 §1; simulator, MariaDB, Redis, engine)', function () {
  this.timeout(120_000);
  let t: TestAcs;
  const fleets: Fleet[] = [];
  const reports: string[] = [];

  before(async () => {
    const dir = (name: string) => mkdtempSync(path.join(tmpdir(), `acs-absent-${name}-`));
    const presets = dir('presets');
    const provisions = dir('provisions');
    writeFileSync(path.join(presets, 'absent.yaml'), 'channel: absent\nprovisions:\n  - absent\n');
    writeFileSync(path.join(provisions, 'absent.js'), SCRIPT);
    t = await startTestAcs('absent_paths', { sessionTimeoutMs: 3000, presetsDir: presets, provisionsDir: provisions });
  });
  after(async () => {
    await Promise.all(fleets.map((f) => f.close()));
    await t?.stop();
  });

  for (const sample of SAMPLES) {
    for (const quirk of [undefined, 'gpv-omits-missing']) {
      it(`${sample.label}${quirk ? ` (${quirk})` : ''}: found out once, then nothing asked until a clear() or a BOOTSTRAP`, async () => {
        const serial = `ABS${sample.label.slice(3)}${quirk ? 'Q' : 'S'}-`;
        const fleet = await Fleet.create({
          acsUrl: t.cwmpUrl, model: loadModel(path.join(MODELS, sample.file)), devices: 1, serialBase: serial, concurrency: 1,
          quirks: quirk ? parseQuirks(quirk) : undefined, report: (k, m) => reports.push(`${k}: ${m}`),
        });
        fleets.push(fleet);
        const device = fleet.devices[0];
        const key = deviceKeyOf(device.deviceId());
        const sessions = requestsOf(device);
        const session = async (event = '2 PERIODIC'): Promise<CpeRequest[]> => {
          fleet.connect(device, event);
          await fleet.idle();
          assert.equal(fleet.stats.violations + fleet.stats.failed + fleet.stats.refused, 0, reports.join('\n'));
          return sessions[sessions.length - 1];
        };

        const other = sample.root === 'Device' ? 'InternetGatewayDevice.' : 'Device.';
        /** A session that finds out what is absent: the top level listed once, nothing under the other root, no request twice. */
        const findsOut = (requests: CpeRequest[]): void => {
          const text = requests.map((q) => JSON.stringify(q));
          assert.equal(text.filter((q) => q === JSON.stringify(LIST_ROOT)).length, 1, text.join('\n'));
          const asked = requests.flatMap((q) => (q.method === 'GetParameterValues' ? q.ParameterNames : q.method === 'GetParameterNames' ? [q.ParameterPath] : []));
          assert.ok(!asked.some((n) => n.startsWith(other)), asked.join());
          assert.equal(new Set(text).size, text.length, `a request repeated:\n${text.join('\n')}`);
        };

        await fleet.connectAll();
        findsOut(sessions[0]);
        assert.ok((await t.acs.store.getParameters(key, ROOT_LISTING)).some((r) => r.path === ROOT_LISTING), 'the root listing is stored');

        assert.deepEqual(await session(), [], 'the next session asks nothing');
        assert.deepEqual(await session(), []);

        await t.acs.store.setTags(key, ['forget'], []);
        findsOut(await session()); // clear() of both roots: what the first session found out is found out again
        assert.deepEqual(await t.acs.store.getTags(key), []);
        assert.deepEqual(await session(), []);

        device.addEvent('1 BOOT');
        findsOut(await session('0 BOOTSTRAP')); // a BOOTSTRAP forgets what was absent
        assert.deepEqual(await session(), []);
        assert.deepEqual(await t.acs.store.getChannelFaults(key), []);
      });
    }
  }
});
