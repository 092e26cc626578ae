/**
 * The shipped collection profiles against the BBF data models, the matcher
 * that tells which profile a concrete path belongs to, and the profile
 * schema's errors.
 */
import { strict as assert } from 'node:assert';
import { typeOf } from '../../src/model/datamodel-types';
import { BUILTIN_PROFILES } from '../../src/qoe/profiles/builtin';
import { ProfileMatcher } from '../../src/qoe/profiles/matcher';
import { profileBodySchema, profileOf, withBits } from '../../src/qoe/profiles/schema';

describe('QoE collection profiles', () => {
  it('ships profiles whose every path is a parameter of the TR-181, TR-098 or TR-135 model, counters of an unsigned type', () => {
    for (const profile of BUILTIN_PROFILES) {
      for (const p of profile.parameters) {
        const type = typeOf(p.path.replaceAll('*', '1'));
        assert.ok(type, `${profile.name}: ${p.path} is in no data model`);
        if (p.kind === 'counter') assert.match(type, /^xsd:unsigned(Int|Long)$/, `${profile.name}: ${p.path} is a ${type}, not a counter`);
      }
      const aliases = profile.parameters.map((p) => p.alias).filter((a) => a !== undefined);
      const paths = new Set(profile.parameters.map((p) => p.path));
      assert.equal(paths.size, profile.parameters.length, `${profile.name}: a path named twice`);
      assert.ok(aliases.every((a) => /^[A-Za-z]\w*$/.test(a as string)), `${profile.name}: aliases`);
    }
  });

  it('takes a counter\'s width from the data model: 32 bits for xsd:unsignedInt, 64 for xsd:unsignedLong', () => {
    assert.equal(withBits({ path: 'Device.IP.Interface.*.Stats.BytesSent', kind: 'counter' }).bits, 64);
    assert.equal(withBits({ path: 'Device.IP.Interface.*.Stats.ErrorsSent', kind: 'counter' }).bits, 32);
    assert.equal(withBits({ path: 'InternetGatewayDevice.WANDevice.*.WANCommonInterfaceConfig.TotalBytesSent', kind: 'counter' }).bits, 32);
    assert.equal(withBits({ path: 'Device.IP.Interface.*.Stats.ErrorsSent', kind: 'counter', bits: 64 }).bits, 64, 'a given width stays');
    assert.equal(withBits({ path: 'Device.DeviceInfo.UpTime', kind: 'gauge' }).bits, undefined);
  });

  it('matches concrete paths to the profiles naming them, "*" standing for an instance number only', () => {
    const m = new ProfileMatcher(BUILTIN_PROFILES);
    assert.deepEqual(m.match('Device.IP.Interface.2.Stats.BytesReceived').map((x) => x.profile), ['interfaces']);
    assert.deepEqual(m.match('Device.DeviceInfo.UpTime').map((x) => x.profile).sort(), ['dsl', 'interfaces', 'iptv', 'pon', 'system', 'wifi']);
    assert.deepEqual(m.match('Device.IP.Interface.X.Stats.BytesReceived'), [], 'not an instance number');
    assert.deepEqual(m.match('Device.IP.Interface.2.Stats.BytesReceived.Extra'), []);
    assert.deepEqual(m.match('Device.IP.Interface.2.Stats.Unknown'), []);
    assert.ok(m.inProfile('wifi', 'Device.WiFi.AccessPoint.1.AssociatedDevice.3.SignalStrength'));
    assert.ok(!m.inProfile('interfaces', 'Device.WiFi.AccessPoint.1.AssociatedDevice.3.SignalStrength'));
  });

  it('refuses bad profiles naming the field, and fills in retention and widths', () => {
    const bad = (body: unknown) => {
      const r = profileBodySchema.safeParse(body);
      assert.ok(!r.success);
      return r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    };
    assert.match(bad({ intervalS: 900, parameters: [] }), /parameters: must name at least one parameter/);
    assert.match(bad({ intervalS: 30, parameters: [{ path: 'Device.DeviceInfo.UpTime', kind: 'gauge' }] }), /intervalS: must be at least 60/);
    assert.match(bad({ intervalS: 900, parameters: [{ path: 'Device.X..Y', kind: 'gauge' }] }), /parameters\.0\.path: "Device\.X\.\.Y" is not a parameter path/);
    assert.match(bad({ intervalS: 900, parameters: [{ path: 'Device.X', kind: 'rate' }] }), /parameters\.0\.kind/);
    assert.match(bad({ intervalS: 900, parameters: [{ path: 'Device.X', kind: 'counter', bits: 16 }] }), /parameters\.0\.bits: must be 32 or 64/);
    const ok = profileBodySchema.parse({ intervalS: 900, parameters: [{ path: 'Device.IP.Interface.*.Stats.ErrorsReceived', kind: 'counter' }] });
    const p = profileOf('wan', ok);
    assert.deepEqual(p.retention, { raw: 2, '5m': 7, '1h': 30, '1d': 400 });
    assert.equal(p.parameters[0].bits, 32);
  });
});
