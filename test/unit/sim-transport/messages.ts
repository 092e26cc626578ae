import type { CwmpEnvelope, CwmpHeader, Fault, GetParameterValuesResponse, Inform, ParameterValueStruct } from '../../../src/cwmp/soap/types';
import type { QuirkSet } from '../../../src/sim/quirks';

export const CWMP_1_0 = 'urn:dslforum-org:cwmp-1-0';

const p = (Name: string, Value: string, type: ParameterValueStruct['type'] = 'xsd:string'): ParameterValueStruct => ({ Name, Value, type });

/** Values that quirks could damage: edge spaces, markup characters, Latin-1 and non-Latin-1 text, every xsi:type. */
export const TRICKY_PARAMS: ParameterValueStruct[] = [
  p('Device.WiFi.SSID.1.SSID', 'Café ☕ <guest> & "friends" \'x\' '),
  p('Device.WiFi.SSID.1.Alias', ' leading space'),
  p('Device.DeviceInfo.ProvisioningCode', ''),
  p('Device.DeviceInfo.UpTime', '86400', 'xsd:unsignedInt'),
  p('Device.Time.LocalTimeZoneOffset', '-3600', 'xsd:int'),
  p('Device.Ethernet.Interface.1.Stats.BytesSent', '18446744073709551615', 'xsd:unsignedLong'),
  p('Device.X_ACME_Offset', '-9007199254740993', 'xsd:long'),
  p('Device.WiFi.Radio.1.Enable', 'true', 'xsd:boolean'),
  p('Device.Time.CurrentLocalTime', '2026-11-25T12:00:00Z', 'xsd:dateTime'),
  p('Device.X_ACME_Blob', 'AAEC/w==', 'xsd:base64'),
  p('Device.X_ACME_Hex', '00ff10', 'xsd:hexBinary'),
  p('Device.X_ACME_Tab', 'a\tb\nc'),
];

export const INFORM: CwmpEnvelope<Inform> = {
  namespace: 'urn:dslforum-org:cwmp-1-2',
  header: { ID: 'inform-1', SessionTimeout: 30, SupportedCWMPVersions: '1.0,1.1,1.2,1.3,1.4' },
  body: {
    method: 'Inform',
    DeviceId: { Manufacturer: 'Ünïcode & Co', OUI: '00AA11', ProductClass: 'Box 1', SerialNumber: 'SN-0001' },
    Event: [
      { EventCode: '0 BOOTSTRAP', CommandKey: '' },
      { EventCode: 'M Reboot', CommandKey: 'key with space ' },
    ],
    MaxEnvelopes: 1,
    CurrentTime: '2026-11-25T12:00:00+01:00',
    RetryCount: 3,
    ParameterList: [
      p('Device.DeviceInfo.SoftwareVersion', '1.0.0'),
      p('Device.ManagementServer.ConnectionRequestURL', 'http://127.0.0.1:7547/cr/SN-0001?a=1&b=2'),
      ...TRICKY_PARAMS,
    ],
  },
};

export const GPV_RESPONSE: CwmpEnvelope<GetParameterValuesResponse> = {
  namespace: 'urn:dslforum-org:cwmp-1-2',
  header: { ID: 'acs-req-17' },
  body: { method: 'GetParameterValuesResponse', ParameterList: TRICKY_PARAMS },
};

/** A CPE's SetParameterValues fault: a SOAP Fault, whose envelope prefix the prefix quirks rename too. */
export const SPV_FAULT: CwmpEnvelope<Fault> = {
  namespace: 'urn:dslforum-org:cwmp-1-2',
  header: { ID: 'acs-req-18' },
  body: {
    method: 'Fault',
    faultcode: 'Client',
    FaultCode: 9003,
    FaultString: 'Invalid arguments',
    SetParameterValuesFault: [{ ParameterName: 'Device.WiFi.SSID.1.SSID', FaultCode: 9007, FaultString: 'too long: é ☕' }],
  },
};

/** What a message with these quirks must decode to: the same body; the header and namespace only as the quirk says. */
export function expectedEnvelope(env: CwmpEnvelope, quirks: QuirkSet): CwmpEnvelope {
  let header: CwmpHeader = { ...env.header };
  if (quirks.has('cwmp-1-0')) {
    delete header.SupportedCWMPVersions;
    delete header.SessionTimeout;
  }
  if (quirks.has('no-header')) header = {};
  return { header, body: env.body, namespace: quirks.has('cwmp-1-0') ? CWMP_1_0 : env.namespace };
}

