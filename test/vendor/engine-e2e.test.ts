/**
 * Vendor profiles end to end: the real server (MariaDB, Redis, engine) with
 * operator profiles and the shipped ones, and simulated CPEs built from the
 * EG8145V5 sample, some with the literal quirks a profile works around
 * (spv-boolean-digits, spv-datetime-plain). Devices are told apart by their
 * ProductClass, which the presets and the profiles' preconditions read.
 * A second server without profiles shows that a device no profile matches
 * is asked exactly what it was asked before profiles existed.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Config } from '../../src/config/load';
import type { CpeRequest } from '../../src/cwmp/soap/types';
import type { DeviceKey } from '../../src/db/types';
import { deviceKeyOf } from '../../src/model/device-key';
import { Fleet } from '../../src/sim/fleet';
import { loadModel } from '../../src/sim/load-model';
import { parseQuirks } from '../../src/sim/quirks';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { requestsOf } from '../helpers/sim-sessions';

const MODEL = path.resolve(__dirname, '../../../shared/samples/device-models/device-00259E-EG8145V5-48575443A94196A5-2023-03-28T154335106Z.csv');
const LIST_ROOT = JSON.stringify({ method: 'GetParameterNames', ParameterPath: '', NextLevel: true });
const WHEN = Date.UTC(2026, 11, 5, 10, 0, 0, 123);

const PRESETS: Record<string, string> = {
  'literals.yaml': 'channel: literals\nprecondition: DeviceID.ProductClass LIKE "VP-LIT%"\nprovisions:\n  - literals\n',
  'roots.yaml': 'channel: roots\nprecondition: DeviceID.ProductClass LIKE "VP-ROOT%" OR DeviceID.ProductClass = "EG8145V5"\nprovisions:\n  - roots\n',
  'alias.yaml': 'channel: alias\nprecondition: DeviceID.ProductClass = "VP-ALIAS"\nprovisions:\n  - alias\n',
  'writable.yaml': 'channel: writable\nprecondition: DeviceID.ProductClass LIKE "VP-W%"\nprovisions:\n  - writable\n',
};
const PROVISIONS: Record<string, string> = {
  'literals.js': `
declare('InternetGatewayDevice.Time.Enable', {value: 1}, {value: true});
declare('InternetGatewayDevice.ManagementServer.PeriodicInformTime', {value: 1}, {value: ${WHEN}});
`,
  'roots.js': `
declare('InternetGatewayDevice.DeviceInfo.X_ACME_Build', {value: 1});
declare('Device.DeviceInfo.SoftwareVersion', {value: 1});
`,
  'writable.js': `
declare('InternetGatewayDevice.DeviceInfo.ModelName', {value: 1}, {value: 'Renamed'});
`,
  'alias.js': `
const seen = declare('InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.MaxAssociatedDevices', {value: 1}, {value: 16});
if (seen.size === 1 && Number(seen.value[0]) === 16) declare('Tags.alias-16', null, {value: true});
`,
};
const PROFILES: Record<string, string> = {
  'lit-digits.yaml': 'precondition: DeviceID.ProductClass = "VP-LIT-DIGITS"\nbooleanLiteral: 1/0\ndateTimeFormat: seconds-no-zone\n',
  'lit-other.yaml': 'precondition: DeviceID.ProductClass = "VP-LIT-OTHER"\nskipRootListing: true\n',
  'w-listing.yaml': 'precondition: DeviceID.ProductClass = "VP-W-LISTING"\nwritabilityFrom: listing\n',
  'root-skip.yaml': 'precondition: DeviceID.ProductClass = "VP-ROOT-SKIP"\nskipRootListing: true\n',
  'alias.yaml': [
    'precondition: DeviceID.ProductClass = "VP-ALIAS"',
    'aliases:',
    '  InternetGatewayDevice.LANDevice.*.WLANConfiguration.*.MaxAssociatedDevices: InternetGatewayDevice.LANDevice.*.WLANConfiguration.*.X_HW_AssociateNum',
  ].join('\n'),
};

function folder(name: string, files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), `acs-vendor-${name}-`));
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text);
  return dir;
}

/** Counts calls of the store's methods (own arrow functions and prototype methods) by name until the returned function is called. */
function countCalls(store: object, calls: Record<string, number>): () => void {
  const target = store as Record<string, unknown>;
  const names = new Set<string>();
  for (let o: object | null = store; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const n of Object.getOwnPropertyNames(o)) if (n !== 'constructor' && typeof target[n] === 'function') names.add(n);
  }
  const own = new Map<string, PropertyDescriptor | undefined>([...names].map((n) => [n, Object.getOwnPropertyDescriptor(store, n)]));
  for (const n of names) {
    const original = target[n] as (...args: unknown[]) => unknown;
    target[n] = (...args: unknown[]) => {
      calls[n] = (calls[n] ?? 0) + 1;
      return original.apply(store, args);
    };
  }
  return () => {
    for (const [n, descriptor] of own) {
      if (descriptor) Object.defineProperty(store, n, descriptor);
      else delete target[n];
    }
  };
}

interface Cpe {
  key: DeviceKey;
  sessions: CpeRequest[][];
  session(): Promise<CpeRequest[]>;
}

describe('vendor profiles end to end (simulator, MariaDB, Redis, engine)', function () {
  this.timeout(120_000);
  let withProfiles: TestAcs;
  let without: TestAcs;
  const fleets: Fleet[] = [];
  const reports: string[] = [];

  before(async () => {
    const dirs = { presetsDir: folder('presets', PRESETS), provisionsDir: folder('provisions', PROVISIONS), sessionTimeoutMs: 3000 };
    // The VENDOR_PROFILES_* keys may not be in Config yet (src/vendor/config.ts): passed as overrides.
    const vendor: Pick<Config, 'vendorProfilesDir' | 'vendorProfilesShipped'> = { vendorProfilesDir: folder('profiles', PROFILES), vendorProfilesShipped: true };
    withProfiles = await startTestAcs('vendor_profiles', { ...dirs, ...vendor });
    without = await startTestAcs('vendor_none', dirs);
  });
  after(async () => {
    await Promise.all(fleets.map((f) => f.close()));
    await withProfiles?.stop();
    await without?.stop();
  });

  let made = 0;
  /** One simulated CPE of its own (serial numbers never repeat across the suite). */
  async function cpe(t: TestAcs, productClass: string, quirks?: string): Promise<Cpe> {
    const fleet = await Fleet.create({
      acsUrl: t.cwmpUrl, model: loadModel(MODEL), devices: 1, serialBase: `VP${++made}-`, productClass, concurrency: 1,
      quirks: quirks ? parseQuirks(quirks) : undefined, report: (k, m) => reports.push(`${k}: ${m}`),
    });
    fleets.push(fleet);
    const device = fleet.devices[0];
    const sessions = requestsOf(device);
    return {
      key: deviceKeyOf(device.deviceId()),
      sessions,
      session: async () => {
        fleet.connect(device, '2 PERIODIC');
        await fleet.idle();
        assert.equal(fleet.stats.violations + fleet.stats.failed + fleet.stats.refused, 0, reports.join('\n'));
        return sessions[sessions.length - 1];
      },
    };
  }

  const spvValues = (requests: CpeRequest[]): Record<string, string> =>
    Object.fromEntries(requests.flatMap((r) => (r.method === 'SetParameterValues' ? r.ParameterList.map((p) => [p.Name, p.Value]) : [])));

  it('a CPE that wants 1/0 and plain dateTimes refuses the default literals: its channel faults', async () => {
    const d = await cpe(withProfiles, 'VP-LIT-OTHER', 'spv-boolean-digits,spv-datetime-plain');
    const sent = spvValues(await d.session());
    assert.equal(sent['InternetGatewayDevice.Time.Enable'], 'true');
    assert.equal(sent['InternetGatewayDevice.ManagementServer.PeriodicInformTime'], '2026-12-05T10:00:00.123Z');
    const faults = await withProfiles.acs.store.getChannelFaults(d.key);
    assert.deepEqual(faults.map((f) => f.channel), ['literals']);
    assert.match(faults[0].message, /9007/);
  });

  it('the same CPE under a profile with booleanLiteral 1/0 and dateTimeFormat seconds-no-zone: accepted, then nothing to do', async () => {
    const d = await cpe(withProfiles, 'VP-LIT-DIGITS', 'spv-boolean-digits,spv-datetime-plain');
    const sent = spvValues(await d.session());
    assert.deepEqual(sent, {
      'InternetGatewayDevice.ManagementServer.PeriodicInformTime': '2026-12-05T10:00:00',
      'InternetGatewayDevice.Time.Enable': '1',
    });
    assert.deepEqual(await withProfiles.acs.store.getChannelFaults(d.key), []);
    assert.deepEqual(await d.session(), [], 'what was written in the vendor literals counts as done');
  });

  it('skipRootListing: the root is not listed, one RPC fewer; the other root stays unasked', async () => {
    const none = await cpe(withProfiles, 'VP-ROOT-NONE');
    const skip = await cpe(withProfiles, 'VP-ROOT-SKIP');
    const listed = (await none.session()).map((r) => JSON.stringify(r));
    const skipped = (await skip.session()).map((r) => JSON.stringify(r));
    assert.equal(listed.filter((r) => r === LIST_ROOT).length, 1, listed.join('\n'));
    assert.equal(skipped.filter((r) => r === LIST_ROOT).length, 0, skipped.join('\n'));
    assert.equal(skipped.length, listed.length - 1);
    assert.ok(!skipped.some((r) => r.includes('"Device.')), skipped.join('\n'));
    assert.deepEqual(await skip.session(), [], 'and the next session asks nothing');
  });

  it('a shipped profile: the EG8145V5 sample (ProductClass EG8145V5) gets huawei-eg8145v5, which skips the root listing', async () => {
    const d = await cpe(withProfiles, 'EG8145V5');
    const requests = (await d.session()).map((r) => JSON.stringify(r));
    assert.ok(requests.length > 0, 'the roots preset ran');
    assert.equal(requests.filter((r) => r === LIST_ROOT).length, 0, requests.join('\n'));
  });

  it('an alias: the provision names MaxAssociatedDevices, the device is read and written at X_HW_AssociateNum, the script sees 16', async () => {
    const d = await cpe(withProfiles, 'VP-ALIAS');
    const first = await d.session();
    const text = first.map((r) => JSON.stringify(r)).join('\n');
    assert.ok(!text.includes('MaxAssociatedDevices'), text);
    assert.deepEqual(spvValues(first), { 'InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.X_HW_AssociateNum': '16' });
    assert.deepEqual(await withProfiles.acs.store.getTags(d.key), ['alias-16'], 'the script read the vendor value under the standard name');
    assert.deepEqual(await withProfiles.acs.store.getChannelFaults(d.key), []);
    assert.deepEqual(await d.session(), []);
  });

  it('writabilityFrom listing: a read-only parameter is found out by listing its object, never written', async () => {
    const [plain, listing] = [await cpe(withProfiles, 'VP-W-PLAIN'), await cpe(withProfiles, 'VP-W-LISTING')];
    const written = await plain.session();
    assert.ok(written.some((r) => r.method === 'SetParameterValues'), 'without the profile the write is tried (and refused with 9008)');
    const listed = await listing.session();
    assert.ok(!listed.some((r) => r.method === 'SetParameterValues'), listed.map((r) => JSON.stringify(r)).join('\n'));
    assert.ok(listed.some((r) => r.method === 'GetParameterNames' && r.ParameterPath === 'InternetGatewayDevice.DeviceInfo.' && r.NextLevel));
    for (const d of [plain, listing]) {
      assert.deepEqual(await withProfiles.acs.store.getChannelFaults(d.key), []);
      assert.deepEqual(await d.session(), [], 'nothing asked again');
    }
  });

  it('the quiet periodic session: a device with a profile costs the store the same calls as one without', async () => {
    const [profiled, plain] = [await cpe(withProfiles, 'VP-ROOT-SKIP'), await cpe(withProfiles, 'VP-ROOT-NONE')];
    for (const d of [profiled, plain]) for (let i = 0; i < 2; i++) await d.session();
    const counted = async (d: Cpe): Promise<Record<string, number>> => {
      const calls: Record<string, number> = {};
      const unwrap = countCalls(withProfiles.acs.store, calls);
      try {
        assert.deepEqual(await d.session(), [], 'nothing to do');
      } finally {
        unwrap();
      }
      // touchDevices is the CWMP process's once-a-second flush of the last_inform times quiet sessions left in
      // Redis (roles/cwmp.ts), not a call of the session: it lands in one device's window or the other's by the
      // clock (a loaded machine's slower sessions catch it more often).
      delete calls.touchDevices;
      return calls;
    };
    const [a, b] = [await counted(profiled), await counted(plain)];
    console.log(`      store calls of a quiet periodic session, with and without a profile: ${JSON.stringify(a)}`);
    assert.ok(Object.keys(a).length > 0, 'the store was used');
    assert.deepEqual(a, b);
  });

  for (const productClass of ['VP-ROOT-NONE', 'VP-LIT-NONE']) {
    it(`${productClass}, matched by no profile: the same RPCs as on a server without profiles`, async () => {
      const a = await cpe(withProfiles, productClass, 'spv-boolean-digits');
      const b = await cpe(without, productClass, 'spv-boolean-digits');
      for (let i = 0; i < 2; i++) {
        const [x, y] = [await a.session(), await b.session()];
        assert.deepEqual(x, y, `session ${i + 1}`);
      }
      assert.ok(a.sessions[0].length > 0, 'the preset ran');
    });
  }
});
