import { strict as assert } from 'node:assert';
import { ActiveNotify, NodeFlag, createDevice, generateBbfModel, genericPath, lastSegment, parentPath, type BaseModel } from '../../../src/sim/model';
import { loadTimes, report, tr098, tr181 } from './helpers';

const IDENTITY = [
  'DeviceInfo.Manufacturer',
  'DeviceInfo.ManufacturerOUI',
  'DeviceInfo.ProductClass',
  'DeviceInfo.SerialNumber',
  'DeviceInfo.SoftwareVersion',
  'DeviceInfo.HardwareVersion',
  'DeviceInfo.ProvisioningCode',
  'ManagementServer.URL',
  'ManagementServer.PeriodicInformEnable',
  'ManagementServer.PeriodicInformInterval',
  'ManagementServer.ConnectionRequestURL',
  'ManagementServer.ConnectionRequestUsername',
  'ManagementServer.ConnectionRequestPassword',
  'ManagementServer.ParameterKey',
  'ManagementServer.UDPConnectionRequestAddress',
  'ManagementServer.STUNEnable',
  'ManagementServer.STUNServerAddress',
  'ManagementServer.STUNServerPort',
  'ManagementServer.STUNUsername',
  'ManagementServer.STUNPassword',
  'ManagementServer.STUNMaximumKeepAlivePeriod',
  'ManagementServer.STUNMinimumKeepAlivePeriod',
  'ManagementServer.NATDetected',
];

/** Every table's NumberOfEntries (as the model names it, or "<Table>NumberOfEntries") equals its instance count. */
function assertCountersMatch(m: BaseModel): number {
  let checked = 0;
  for (let id = 0; id < m.size; id++) {
    if (!(m.flags[id] & NodeFlag.Table)) continue;
    const table = m.paths[id];
    const name = m.numEntriesName(genericPath(table)) ?? lastSegment(table) + 'NumberOfEntries';
    const counter = m.id(parentPath(table) + name);
    if (counter < 0) continue;
    assert.equal(m.values[counter], String(m.children(id).length), table);
    checked++;
  }
  return checked;
}

describe('sim/model: generated BBF models', () => {
  describe('tr181 (Device:2.17)', () => {
    it('has every identity/management parameter and RootDataModelVersion, under 10k parameters', () => {
      const m = tr181();
      assert.equal(m.rootPath, 'Device.');
      assert.equal(m.values[m.id('Device.RootDataModelVersion')], '2.17');
      for (const rel of IDENTITY) assert.ok(m.id('Device.' + rel) >= 0, rel);
      assert.ok(m.parameterCount < 10000, `${m.parameterCount} parameters`);
      assert.ok(m.parameterCount > 4000);
      report(`generated tr181: ${m.size} nodes, ${m.parameterCount} parameters, generated in ${loadTimes.get('tr181 (BBF)')?.toFixed(0)} ms`);
    });

    it('is generated once per process', () => {
      assert.equal(generateBbfModel('tr181'), tr181());
    });

    it('gives plausible values: defaults, enumerations, ranges, the Unknown Time, aliases', () => {
      const m = tr181();
      const v = (p: string): string => m.values[m.id(p)];
      assert.equal(v('Device.ManagementServer.InstanceMode'), 'InstanceNumber');
      assert.equal(v('Device.ManagementServer.PeriodicInformTime'), '0001-01-01T00:00:00Z');
      assert.equal(v('Device.ManagementServer.CWMPRetryMinimumWaitInterval'), '1', 'range minimum');
      assert.equal(v('Device.Bridging.Bridge.1.STP.MaxAge'), '2000', 'data model default');
      assert.equal(v('Device.WiFi.SSID.1.Enable'), 'false');
      assert.equal(v('Device.WiFi.SSID.2.Alias'), 'cpe-2');
      assert.match(v('Device.Ethernet.Interface.1.MACAddress'), /^02:00:00:00:[0-9A-F]{2}:[0-9A-F]{2}$/);
      assert.equal(m.typeOf(m.id('Device.WiFi.SSID.1.Stats.BytesSent')), 'xsd:unsignedLong');
    });

    it('maps access, hidden, activeNotify and constraints', () => {
      const m = tr181();
      const id = (p: string): number => m.id(p);
      assert.ok(m.flags[id('Device.ManagementServer.URL')] & NodeFlag.Writable);
      assert.equal(m.flags[id('Device.DeviceInfo.UpTime')] & NodeFlag.Writable, 0);
      assert.ok(m.flags[id('Device.ManagementServer.Password')] & NodeFlag.Hidden);
      const cr = id('Device.ManagementServer.ConnectionRequestURL');
      assert.equal(m.policy[cr], ActiveNotify.forceDefaultEnabled);
      assert.equal(m.notification[cr], 2, 'active notification by default');
      assert.equal(m.policy[id('Device.WiFi.SSID.1.Stats.BytesSent')], ActiveNotify.canDeny);
      const interval = m.constraintOf(id('Device.ManagementServer.PeriodicInformInterval'));
      assert.deepEqual(interval?.ranges?.[0].min, '1');
      assert.equal(m.constraintOf(id('Device.ManagementServer.ParameterKey'))?.maxLength, 32);
    });

    it('skips deleted, obsoleted and deprecated items', () => {
      const m = tr181();
      assert.ok(m.id('Device.DSL.Line.1.') >= 0);
      assert.equal(m.id('Device.DSL.Line.1.StandardsSupported'), -1, 'deleted');
      assert.ok(m.id('Device.Optical.Interface.1.') >= 0);
      assert.equal(m.id('Device.Optical.Interface.1.LowerOpticalThreshold'), -1, 'obsoleted');
      assert.equal(m.id('Device.Time.NTPServer1'), -1, 'deprecated');
    });

    it('instantiates tables: 1 instance, 2 for common ones, none beyond 2 levels of nesting', () => {
      const m = tr181();
      assert.equal(m.children(m.id('Device.WiFi.SSID.')).length, 2);
      assert.equal(m.children(m.id('Device.IP.Interface.')).length, 2);
      assert.equal(m.children(m.id('Device.Bridging.Bridge.')).length, 1);
      assert.equal(m.children(m.id('Device.IP.Interface.1.IPv4Address.')).length, 1, 'depth 2');
      const deep = m.id('Device.DHCPv4.Server.Pool.1.Client.1.IPv4Address.');
      assert.ok(m.flags[deep] & NodeFlag.Table, 'depth 3 table is listed');
      assert.equal(m.children(deep).length, 0, 'but empty');
      assert.ok(m.template('Device.DHCPv4.Server.Pool.{i}.Client.{i}.IPv4Address.{i}.').some((e) => e.rel === 'IPAddress'), 'and has a template');
      assert.equal(m.id('Device.WiFi.MultiAP.'), -1, 'obsoleted object, with its subtree');
    });

    it('sets NumberOfEntries counters to the instance counts', () => {
      const n = assertCountersMatch(tr181());
      assert.ok(n > 100, `${n} counters checked`);
    });
  });

  describe('tr098 (InternetGatewayDevice:1.14)', () => {
    it('has DeviceSummary, SpecVersion (deprecated but forcedInform) and the management parameters', () => {
      const m = tr098();
      assert.equal(m.rootPath, 'InternetGatewayDevice.');
      assert.equal(m.rootKind, 'tr098');
      assert.match(m.values[m.id('InternetGatewayDevice.DeviceSummary')], /^InternetGatewayDevice:1\.14/);
      assert.ok(m.id('InternetGatewayDevice.DeviceInfo.SpecVersion') >= 0);
      for (const rel of IDENTITY) assert.ok(m.id('InternetGatewayDevice.' + rel) >= 0, rel);
      report(`generated tr098: ${m.size} nodes, ${m.parameterCount} parameters, generated in ${loadTimes.get('tr098 (BBF)')?.toFixed(0)} ms`);
    });

    it('has a WAN IP and PPP connection (3 tables deep) for the Inform ExternalIPAddress', () => {
      const m = tr098();
      assert.ok(m.id('InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.ExternalIPAddress') >= 0);
      assert.ok(m.id('InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANPPPConnection.1.ExternalIPAddress') >= 0);
      assert.equal(m.children(m.id('InternetGatewayDevice.LANDevice.1.WLANConfiguration.')).length, 2);
    });

    it('sets NumberOfEntries counters from numEntriesParameter (LANWLANConfigurationNumberOfEntries...)', () => {
      const m = tr098();
      assert.equal(m.values[m.id('InternetGatewayDevice.LANDevice.1.LANWLANConfigurationNumberOfEntries')], '2');
      assert.equal(m.values[m.id('InternetGatewayDevice.WANDevice.1.WANConnectionNumberOfEntries')], '1');
      assertCountersMatch(m);
    });
  });

  describe('from XML text', () => {
    const xml = `<?xml version="1.0"?>
<dm:document xmlns:dm="urn:broadband-forum-org:cwmp:datamodel-1-14">
  <dataType name="Base"><description>x</description><string><size maxLength="8"/></string></dataType>
  <dataType name="Derived" base="Base"><pattern value="[a-z]+"/></dataType>
  <model name="Device:2.99">
    <object name="Device." access="readOnly" minEntries="1" maxEntries="1">
      <parameter name="RootDataModelVersion" access="readOnly"><syntax><string/></syntax></parameter>
      <parameter name="ThingNumberOfEntries" access="readOnly"><syntax><unsignedInt/></syntax></parameter>
      <parameter name="Old" access="readOnly" status="deprecated"><syntax><string/></syntax></parameter>
    </object>
    <object name="Device.Thing.{i}." access="readWrite" minEntries="0" maxEntries="unbounded" numEntriesParameter="ThingNumberOfEntries">
      <parameter name="Alias" access="readWrite"><syntax><string/></syntax></parameter>
      <parameter name="Name" access="readWrite"><syntax><dataType ref="Derived"/></syntax></parameter>
      <parameter name="Mode" access="readWrite"><syntax><string><enumeration value="Auto"/><enumeration value="Manual"/></string><default type="object" value="Manual"/></syntax></parameter>
      <parameter name="Level" access="readWrite"><syntax><int><range minInclusive="-5" maxInclusive="-1"/></int></syntax></parameter>
      <parameter name="Tags" access="readWrite"><syntax><list maxItems="2"/><string><enumeration value="a"/><enumeration value="b"/></string></syntax></parameter>
    </object>
    <object name="Device.Gone." access="readOnly" status="obsoleted" minEntries="1" maxEntries="1">
      <parameter name="X" access="readOnly"><syntax><boolean/></syntax></parameter>
    </object>
  </model>
</dm:document>`;

    it('resolves dataType chains, lists, enumerations, ranges and defaults', () => {
      const m = generateBbfModel('tr181', { xml, name: 'mini' });
      assert.notEqual(m, tr181(), 'custom XML is not cached');
      assert.deepEqual(m.paths, [
        'Device.',
        'Device.RootDataModelVersion',
        'Device.ThingNumberOfEntries',
        'Device.Thing.',
        'Device.Thing.1.',
        'Device.Thing.1.Alias',
        'Device.Thing.1.Name',
        'Device.Thing.1.Mode',
        'Device.Thing.1.Level',
        'Device.Thing.1.Tags',
      ]);
      const v = (p: string): string => m.values[m.id(p)];
      assert.equal(v('Device.RootDataModelVersion'), '2.99');
      assert.equal(v('Device.ThingNumberOfEntries'), '1');
      assert.equal(v('Device.Thing.1.Alias'), 'cpe-1');
      assert.equal(v('Device.Thing.1.Name'), 'a', 'first candidate matching [a-z]+');
      assert.equal(v('Device.Thing.1.Mode'), 'Manual');
      assert.equal(v('Device.Thing.1.Level'), '-5');
      assert.equal(v('Device.Thing.1.Tags'), '');
      const name = m.constraintOf(m.id('Device.Thing.1.Name'));
      assert.equal(name?.maxLength, 8);
      assert.equal(name?.patterns?.length, 1);
      assert.deepEqual(m.constraintOf(m.id('Device.Thing.1.Tags'))?.list?.maxItems, 2);
      const d = createDevice(m, { SerialNumber: 'S' });
      assert.equal(d.getValue('Device.ThingNumberOfEntries'), '1');
    });
  });
});
