/**
 * Every real CPE capture in ../shared/samples/captured-real decodes, with its
 * concrete content checked (SOURCES.md there lists each file's quirks).
 */
import { strict as assert } from 'node:assert';
import type { CwmpEnvelope, ParameterValueStruct } from '../../../src/cwmp/soap/types';
import { listCaptures, mustDecode, readCapture } from './helpers';

const NS10 = 'urn:dslforum-org:cwmp-1-0';

function param(list: ParameterValueStruct[], name: string): ParameterValueStruct {
  const p = list.find((x) => x.Name === name);
  assert.ok(p, `parameter ${name} missing`);
  return p;
}

function assertCommon(envelope: CwmpEnvelope, id: string | undefined): void {
  assert.equal(envelope.namespace, NS10);
  assert.equal(envelope.header.ID, id);
}

type Check = (xml: string) => void;

const thomsonInform = (serial: string, product: string, count: number, id: string): Check => (xml) => {
  const { envelope } = mustDecode(xml, 'Inform');
  assertCommon(envelope, id);
  const inform = envelope.body;
  assert.deepEqual(inform.DeviceId, { Manufacturer: 'THOMSON', OUI: '00147F', ProductClass: product, SerialNumber: serial });
  assert.equal(inform.MaxEnvelopes, 2);
  assert.equal(inform.ParameterList.length, count);
  assert.equal(inform.ParameterList.filter((p) => p.Name === '.ExternalIPAddress').length, 1, 'parameter literally named .ExternalIPAddress');
};

const thomsonRpcMethods = (id: string, methods: string[]): Check => (xml) => {
  const { envelope } = mustDecode(xml, 'GetRPCMethodsResponse');
  assertCommon(envelope, id);
  assert.deepEqual(envelope.body.MethodList, methods);
};

const thomsonFault = (id: string, code: number, text: string): Check => (xml) => {
  const { envelope } = mustDecode(xml, 'Fault');
  assertCommon(envelope, id);
  assert.deepEqual(envelope.body, { method: 'Fault', faultcode: 'Client', FaultCode: code, FaultString: text });
};

const thomsonNames = (id: string, count: number, first: string, writable: string): Check => (xml) => {
  const { envelope, warnings } = mustDecode(xml, 'GetParameterNamesResponse');
  assertCommon(envelope, id);
  const list = envelope.body.ParameterList;
  assert.equal(list.length, count);
  assert.deepEqual(list[0].Name, first);
  assert.equal(list.find((p) => p.Name === writable)?.Writable, true);
  assert.equal(list.filter((p) => p.Writable).length > 0 && list.some((p) => !p.Writable), true);
  assert.deepEqual(warnings, []);
};

const NINE_METHODS = ['GetRPCMethods', 'GetParameterNames', 'GetParameterValues', 'SetParameterValues', 'AddObject', 'DeleteObject', 'Download', 'Reboot', 'FactoryReset'];

const checks: Record<string, Check> = {
  'cisco-femtocell-CJJ005B00009.GetParameterNamesResponse.xml': (xml) => {
    const { envelope, warnings } = mustDecode(xml, 'GetParameterNamesResponse');
    assertCommon(envelope, '0');
    assert.equal(envelope.body.ParameterList.length, 227, 'arrayType says 213: members are counted');
    assert.deepEqual(envelope.body.ParameterList[0], { Name: 'Device.DeviceSummary', Writable: false });
    const hop = envelope.body.ParameterList.find((p) => p.Name === 'Device.TraceRouteDiagnostics.MaxHopCount');
    assert.equal(hop?.Writable, true, 'vendor bug <Writable>30</Writable> reads as true');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /ParameterList\[\d+\]\.Writable is not a boolean \('30'\)/);
  },
  'cisco-femtocell-CJJ005B00009.GetParameterValuesResponse.xml': (xml) => {
    const { envelope, warnings } = mustDecode(xml, 'GetParameterValuesResponse');
    assertCommon(envelope, '16781903');
    const list = envelope.body.ParameterList;
    assert.equal(list.length, 227);
    assert.deepEqual(param(list, 'Device.DeviceInfo.UpTime'), { Name: 'Device.DeviceInfo.UpTime', Value: '45', type: 'xsd:unsignedInt' });
    // vendor bug: strings typed unsignedInt, kept as sent
    assert.equal(param(list, 'Device.DeviceInfo.X_00000C_LastRebootCause').Value, 'SW_UPGRADE');
    assert.equal(param(list, 'Device.DeviceInfo.X_00000C_LastRebootCause').type, 'xsd:unsignedInt');
    assert.equal(param(list, 'Device.DeviceInfo.X_00000C_BootTime').Value, '0001-01-01T00:00:00');
    assert.equal(param(list, 'Device.ManagementServer.PeriodicInformEnable').Value, 'true', 'boolean 1 -> "true"');
    assert.equal(param(list, 'Device.Ethernet.Interface.1.Alias').Value, 'Eth 01');
    assert.deepEqual(warnings, []);
  },
  'mikrotik-hAPlite-6.42rc49.Inform.DIAGNOSTICS_COMPLETE.http': (xml) => {
    const { envelope } = mustDecode(xml, 'Inform');
    assert.deepEqual(envelope.header, {}, 'no SOAP Header at all');
    assert.equal(envelope.namespace, NS10);
    const inform = envelope.body;
    assert.deepEqual(inform.DeviceId, { Manufacturer: 'MikroTik', OUI: 'E48D8C', ProductClass: 'hAP lite', SerialNumber: 'XXXXXXXXXXXX' });
    assert.deepEqual(inform.Event, [{ EventCode: '8 DIAGNOSTICS COMPLETE', CommandKey: '' }]);
    assert.equal(inform.CurrentTime, '2018-04-01T19:45:02-04:00');
    assert.equal(inform.ParameterList.length, 7);
    assert.equal(param(inform.ParameterList, 'Device.RootDataModelVersion').Value, '2.11');
    assert.deepEqual(param(inform.ParameterList, 'Device.ManagementServer.AliasBasedAddressing'), {
      Name: 'Device.ManagementServer.AliasBasedAddressing', Value: 'false', type: 'xsd:boolean',
    });
  },
  'thomson-speedtouch-perl-cwmp/SpeedTouch-706.Fault.xml': thomsonFault('22_THOM_TR69_ID', 9001, 'Request Denied'),
  'thomson-speedtouch-perl-cwmp/SpeedTouch-780.Fault.xml': thomsonFault('0_THOM_TR69_ID', 9001, 'Request Denied'),
  'thomson-speedtouch-perl-cwmp/dump_BANT-R_7.4.1.7.Fault.http': thomsonFault('218_THOM_TR69_ID', 9001, 'Request Denied'),
  'thomson-speedtouch-perl-cwmp/dump_BANT-W_6.2.17.5.Fault.http': thomsonFault('226_THOM_TR69_ID', 9000, 'Method not supported'),
  'thomson-speedtouch-perl-cwmp/dump_BANT-S_5.4.0.14.Fault.http': (xml) => {
    thomsonFault('THOM_CPE_ALC_ID_393', 9000, 'Method not supported')(xml);
    assert.equal(mustDecode(xml, 'Fault').envelope.header.NoMoreRequests, true);
  },
  'thomson-speedtouch-perl-cwmp/SpeedTouch-706.GetParameterNamesResponse.xml': thomsonNames(
    '22_THOM_TR69_ID', 3263, 'InternetGatewayDevice.DeviceSummary', 'InternetGatewayDevice.LANDevice.1.Hosts.Host.1.MACAddress'),
  'thomson-speedtouch-perl-cwmp/SpeedTouch-780.GetParameterNamesResponse.xml': thomsonNames(
    '0_THOM_TR69_ID', 3343, 'InternetGatewayDevice.DeviceSummary', 'InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID'),
  'thomson-speedtouch-perl-cwmp/dump_BANT-R_7.4.1.7.GetParameterNamesResponse.http': thomsonNames(
    '218_THOM_TR69_ID', 18, 'InternetGatewayDevice.DeviceInfo.Manufacturer', 'InternetGatewayDevice.DeviceInfo.ProvisioningCode'),
  'thomson-speedtouch-perl-cwmp/dump_BANT-S_5.4.0.14.GetParameterNamesResponse.http': thomsonNames(
    'THOM_CPE_ALC_ID_385', 10, 'InternetGatewayDevice.DeviceInfo.ProvisioningCode', 'InternetGatewayDevice.DeviceInfo.ProvisioningCode'),
  'thomson-speedtouch-perl-cwmp/dump_BANT-W_6.2.17.5.GetParameterNamesResponse.http': thomsonNames(
    '226_THOM_TR69_ID', 17, 'InternetGatewayDevice.DeviceInfo.Manufacturer', 'InternetGatewayDevice.DeviceInfo.X_000E50_Country'),
  'thomson-speedtouch-perl-cwmp/SpeedTouch-706.GetRPCMethodsResponse.xml': thomsonRpcMethods('22_THOM_TR69_ID', NINE_METHODS),
  'thomson-speedtouch-perl-cwmp/SpeedTouch-780.GetRPCMethodsResponse.xml': thomsonRpcMethods('0_THOM_TR69_ID', NINE_METHODS),
  'thomson-speedtouch-perl-cwmp/dump_BANT-W_6.2.17.5.GetRPCMethodsResponse.http': thomsonRpcMethods('226_THOM_TR69_ID', NINE_METHODS),
  'thomson-speedtouch-perl-cwmp/dump_BANT-R_7.4.1.7.GetRPCMethodsResponse.http': thomsonRpcMethods('218_THOM_TR69_ID', [
    'GetRPCMethods', 'GetParameterNames', 'GetParameterValues', 'GetParameterAttributes', 'SetParameterValues',
    'SetParameterAttributes', 'AddObject', 'DeleteObject', 'Download', 'Reboot', 'FactoryReset',
  ]),
  'thomson-speedtouch-perl-cwmp/dump_BANT-S_5.4.0.14.GetRPCMethodsResponse.http': thomsonRpcMethods('THOM_CPE_ALC_ID_388', [
    'GetRPCMethods', 'Download', 'Upload', 'GetParameterNames', 'GetParameterValues', 'SetParameterValues', 'Reboot', 'FactoryReset',
  ]),
  'thomson-speedtouch-perl-cwmp/SpeedTouch-706.Inform.xml': (xml) => {
    thomsonInform('CP0636JT3SH', 'SpeedTouch 706', 12, '22_THOM_TR69_ID')(xml);
    const inform = mustDecode(xml, 'Inform').envelope.body;
    assert.equal(inform.RetryCount, 10);
    assert.deepEqual(param(inform.ParameterList, 'InternetGatewayDevice.DeviceInfo.VendorConfigFile.1.Date'), {
      Name: 'InternetGatewayDevice.DeviceInfo.VendorConfigFile.1.Date', Value: '0000-00-00T00:00:00', type: 'xsd:dateTime',
    });
  },
  'thomson-speedtouch-perl-cwmp/SpeedTouch-780.Inform.xml': (xml) => {
    thomsonInform('CP0644JTHJ4', 'SpeedTouch 780', 12, '0_THOM_TR69_ID')(xml);
    const inform = mustDecode(xml, 'Inform').envelope.body;
    assert.equal(inform.RetryCount, 5, 'RetryCount "05"');
    assert.deepEqual(inform.Event.map((e) => e.EventCode), ['1 BOOT', '2 PERIODIC', '4 VALUE CHANGE']);
  },
  'thomson-speedtouch-perl-cwmp/dump_BANT-R_7.4.1.7.Inform.http': (xml) => {
    thomsonInform('CP0644JTHJ4', 'SpeedTouch 780', 8, '3_THOM_TR69_ID')(xml);
    const inform = mustDecode(xml, 'Inform').envelope.body;
    assert.equal(inform.RetryCount, 0, 'RetryCount "00"');
    assert.deepEqual(inform.Event, [{ EventCode: '2 PERIODIC', CommandKey: '' }], 'EventStruct[01]');
    assert.equal(inform.CurrentTime, '1970-01-01T00:02:16Z');
    assert.deepEqual(inform.ParameterList[0], { Name: '.ExternalIPAddress', Value: '10.0.0.2', type: 'xsd:string' });
    assert.equal(param(inform.ParameterList, 'InternetGatewayDevice.DeviceInfo.ProvisioningCode').Value, 'test provision');
  },
  'thomson-speedtouch-perl-cwmp/dump_BANT-S_5.4.0.14.Inform.http': (xml) => {
    thomsonInform('CP0636JT3SH', 'SpeedTouch 706', 11, 'THOM_CPE_ALC_ID_9')(xml);
    const { envelope } = mustDecode(xml, 'Inform');
    assert.equal(envelope.header.NoMoreRequests, true);
    assert.equal(param(envelope.body.ParameterList, '.ExternalIPAddress').Value, '10.0.0.1');
    assert.equal(param(envelope.body.ParameterList, 'InternetGatewayDevice.DeviceInfo.ProvisioningCode').Value, 'SKYN_PLUS');
  },
  'thomson-speedtouch-perl-cwmp/dump_BANT-W_6.2.17.5.Inform.http': (xml) => {
    thomsonInform('CP0703KT3PP', 'SpeedTouch 585', 12, '8_THOM_TR69_ID')(xml);
    const inform = mustDecode(xml, 'Inform').envelope.body;
    assert.equal(param(inform.ParameterList, 'InternetGatewayDevice.DeviceInfo.SoftwareVersion').Value, '6.2.17.5');
  },
  'thomson-speedtouch-perl-cwmp/dump_BANT-R_7.4.1.7.GetParameterAttributesResponse.http': (xml) => {
    const { envelope } = mustDecode(xml, 'GetParameterAttributesResponse');
    assertCommon(envelope, '11_THOM_TR69_ID');
    assert.deepEqual(envelope.body.ParameterList, [
      { Name: 'InternetGatewayDevice.DeviceInfo.SerialNumber', Notification: 0, AccessList: ['subscriber'] },
      { Name: 'InternetGatewayDevice.DeviceInfo.SoftwareVersion', Notification: 0, AccessList: ['subscriber'] },
    ]);
  },
  'thomson-speedtouch-perl-cwmp/dump_BANT-R_7.4.1.7.ParameterValue.http': (xml) => {
    const { envelope, warnings } = mustDecode(xml, 'GetParameterValuesResponse');
    assertCommon(envelope, '218_THOM_TR69_ID');
    const list = envelope.body.ParameterList;
    assert.equal(list.length, 6);
    assert.deepEqual(param(list, 'InternetGatewayDevice.DeviceInfo.VendorConfigFile.1.Date').type, 'xsd:dateTime');
    assert.equal(param(list, 'InternetGatewayDevice.DeviceInfo.VendorConfigFile.1.Date').Value, '0001-01-01T00:00:00Z');
    assert.equal(param(list, 'InternetGatewayDevice.DeviceInfo.SerialNumber').Value, 'CP0644JTHJ4');
    assert.deepEqual(warnings, []);
  },
  'thomson-speedtouch-perl-cwmp/dump_BANT-W_6.2.17.5.ParameterValue.http': (xml) => {
    const { envelope, warnings } = mustDecode(xml, 'GetParameterValuesResponse');
    assertCommon(envelope, '226_THOM_TR69_ID');
    const list = envelope.body.ParameterList;
    assert.equal(list.length, 6);
    assert.ok(list.every((p) => p.type === 'xsd:string'), 'no xsi:type -> xsd:string');
    assert.equal(param(list, 'InternetGatewayDevice.DeviceInfo.VendorConfigFile.1.Date').Value, '0000-00-00T00:00:00');
    assert.equal(warnings.length, 6);
    assert.match(warnings[0], /^GetParameterValuesResponse: ParameterList\[0\] Value of .*VendorConfigFile\.1\.Name has no xsi:type/);
  },
  'zte-F600W.Inform.BOOTSTRAP.xml': (xml) => {
    const { envelope } = mustDecode(xml, 'Inform');
    assertCommon(envelope, '1');
    const inform = envelope.body;
    assert.deepEqual(inform.DeviceId, { Manufacturer: 'ZTE', OUI: '44F436', ProductClass: 'F600W', SerialNumber: 'ZTEEQAWF5J00191' });
    assert.deepEqual(inform.Event, [
      { EventCode: '0 BOOTSTRAP', CommandKey: 'TR069_ZTE_HOMEGATEWAY' },
      { EventCode: '1 BOOT', CommandKey: '' },
      { EventCode: '4 VALUE CHANGE', CommandKey: '' },
    ]);
    assert.equal(inform.CurrentTime, '1970-01-02T00:08:34', 'no time zone, kept as sent');
    assert.equal(inform.ParameterList.length, 10);
    const urls = inform.ParameterList.filter((p) => p.Name === 'InternetGatewayDevice.ManagementServer.ConnectionRequestURL');
    assert.equal(urls.length, 2, 'ConnectionRequestURL listed twice');
  },
  'zte-F600W-freeacs-discover/1_inform.xml': (xml) => {
    const { envelope } = mustDecode(xml, 'Inform');
    assertCommon(envelope, '1');
    const list = envelope.body.ParameterList;
    assert.equal(list.length, 10);
    assert.equal(
      param(list, 'InternetGatewayDevice.DeviceSummary').Value,
      'InternetGatewayDevice:1.0[](Baseline:1, EthernetLAN:4,GE:4,WiFi:1,\n                        PONWAN:1, Voip:0, Time:1, IPPing:1)',
      'inner newline kept, trailing layout dropped',
    );
    const wan = 'InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANIPConnection.2.ExternalIPAddress';
    assert.equal(param(list, wan).Value, '127.0.0.1', 'Name with a newline before </Name> is trimmed');
  },
  'zte-F600W-freeacs-discover/2_informResponse.xml': (xml) => {
    const { envelope } = mustDecode(xml, 'InformResponse');
    assertCommon(envelope, '1');
    assert.deepEqual(envelope.body, { method: 'InformResponse', MaxEnvelopes: 1 });
  },
  'zte-F600W-freeacs-discover/4_GetParameterNames.xml': (xml) => {
    const { envelope } = mustDecode(xml, 'GetParameterNames');
    assertCommon(envelope, 'OWERA-0');
    assert.deepEqual(envelope.body, { method: 'GetParameterNames', ParameterPath: 'InternetGatewayDevice.', NextLevel: false });
  },
  'zte-F600W-freeacs-discover/5_GetParameterNamesResponse.xml': (xml) => {
    const { envelope } = mustDecode(xml, 'GetParameterNamesResponse');
    assertCommon(envelope, 'OWERA-0');
    const list = envelope.body.ParameterList;
    assert.equal(list.length, 1384);
    assert.deepEqual(list[0], { Name: 'InternetGatewayDevice.', Writable: false });
    assert.deepEqual(list[1383], { Name: 'InternetGatewayDevice.X_ZTE-COM_CATV.AGCOffset', Writable: true });
  },
  'zte-F600W-freeacs-discover/6_GetParameterValues.xml': (xml) => {
    const { envelope } = mustDecode(xml, 'GetParameterValues');
    assertCommon(envelope, 'OWERA-0');
    assert.equal(envelope.body.ParameterNames.length, 6);
    assert.equal(envelope.body.ParameterNames[1], 'InternetGatewayDevice.DeviceInfo.VendorConfigFile.');
  },
  'zte-F600W-freeacs-discover/7_GetParameterValuesResponse.xml': (xml) => {
    const { envelope } = mustDecode(xml, 'GetParameterValuesResponse');
    assertCommon(envelope, 'OWERA-1526386527249');
    const list = envelope.body.ParameterList;
    assert.equal(list.length, 9, 'SOAP-ENC:Array typed list');
    assert.deepEqual(param(list, 'InternetGatewayDevice.ManagementServer.PeriodicInformInterval'), {
      Name: 'InternetGatewayDevice.ManagementServer.PeriodicInformInterval', Value: '360', type: 'xsd:unsignedInt',
    });
    assert.equal(param(list, 'InternetGatewayDevice.DeviceInfo.VendorConfigFile.1.Date').Value, '2018-05-15T10:36:42');
    assert.equal(param(list, 'InternetGatewayDevice.ManagementServer.ConnectionRequestPassword').Value, '');
  },
  'zte-F600W-freeacs-discover/8_SetParameterValues.xml': (xml) => {
    const { envelope } = mustDecode(xml, 'SetParameterValues');
    assertCommon(envelope, 'OWERA-0');
    assert.deepEqual(envelope.body, {
      method: 'SetParameterValues',
      ParameterList: [{ Name: 'InternetGatewayDevice.ManagementServer.PeriodicInformInterval', Value: '70075', type: 'xsd:unsignedInt' }],
      ParameterKey: 'No data in DB',
    });
  },
  'zte-F600W-freeacs-discover/9_SetParameterValuesResponse.xml': (xml) => {
    const { envelope } = mustDecode(xml, 'SetParameterValuesResponse');
    assertCommon(envelope, 'OWERA-1526386527465');
    assert.deepEqual(envelope.body, { method: 'SetParameterValuesResponse', Status: 0 });
  },
};

describe('soap: real CPE captures', () => {
  const files = listCaptures();

  it('has a check for every capture file, and a file for every check', () => {
    assert.deepEqual(files, Object.keys(checks).sort());
  });

  for (const file of files) {
    it(`decodes ${file}`, () => {
      const check = checks[file];
      assert.ok(check, `no check for ${file}`);
      check(readCapture(file));
    });
  }

  it('reads ISO-8859-1 captures as latin1 (Thomson declares charset=ISO-8859-1)', () => {
    const xml = readCapture('thomson-speedtouch-perl-cwmp/dump_BANT-R_7.4.1.7.Inform.http');
    assert.ok(xml.startsWith('<soapenv:Envelope'), 'HTTP headers are cut');
  });
});
