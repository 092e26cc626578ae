/**
 * "Be lenient in what you accept": each real-world quirk the ACS must read
 * (checklist sections 1-2, shared/samples/SOURCES.md), one test each.
 */
import { strict as assert } from 'node:assert';
import { decode } from '../../../src/cwmp/soap/decode';
import type { ParameterValueStruct } from '../../../src/cwmp/soap/types';
import { envelope, informXml, mustDecode, pvs, SOAP_ENC, SOAP_ENV } from './helpers';

function informParams(params: string): { list: ParameterValueStruct[]; warnings: string[] } {
  const { envelope: env, warnings } = mustDecode(envelope(informXml({ params })), 'Inform');
  return { list: env.body.ParameterList, warnings };
}

function onlyValue(params: string): ParameterValueStruct {
  const { list } = informParams(params);
  assert.equal(list.length, 1);
  return list[0];
}

describe('soap: tolerance of real CPE quirks', () => {
  it('matches by namespace, not prefix: soap_env, soapenv, SOAP-ENV, s, and soap bound to the encoding namespace', () => {
    for (const env of ['soap_env', 'soapenv', 'SOAP-ENV', 's', 'soap-env']) {
      assert.equal(mustDecode(envelope('<cwmp:GetRPCMethods/>', { env }), 'GetRPCMethods').envelope.header.ID, 'id-1', env);
    }
    // MikroTik: "soap" is the *encoding* namespace, "soapenv" the envelope
    const mikrotik = `<soapenv:Envelope xmlns:soap='${SOAP_ENC}' xmlns:soapenv='${SOAP_ENV}' xmlns:cwmp='urn:dslforum-org:cwmp-1-0'>` +
      `<soapenv:Body><cwmp:GetRPCMethodsResponse><MethodList soap:arrayType='xsd:string[1]'><string>Inform</string></MethodList>` +
      '</cwmp:GetRPCMethodsResponse></soapenv:Body></soapenv:Envelope>';
    assert.deepEqual(mustDecode(mikrotik, 'GetRPCMethodsResponse').envelope.body.MethodList, ['Inform']);
    // and a look-alike prefix bound to the wrong namespace is not an Envelope
    const fake = `<soap:Envelope xmlns:soap="${SOAP_ENC}"><soap:Body><cwmp:GetRPCMethods xmlns:cwmp="urn:dslforum-org:cwmp-1-0"/></soap:Body></soap:Envelope>`;
    assert.ok(!decode(fake).ok);
  });

  it('reads a cwmp namespace declared on the RPC element, or as the default namespace', () => {
    const local = `<s:Envelope xmlns:s="${SOAP_ENV}"><s:Body><c:Reboot xmlns:c="urn:dslforum-org:cwmp-1-1"><CommandKey>k</CommandKey></c:Reboot></s:Body></s:Envelope>`;
    assert.equal(mustDecode(local, 'Reboot').envelope.namespace, 'urn:dslforum-org:cwmp-1-1');
    const dflt = `<s:Envelope xmlns:s="${SOAP_ENV}"><s:Body><Reboot xmlns="urn:dslforum-org:cwmp-1-2"><CommandKey>k</CommandKey></Reboot></s:Body></s:Envelope>`;
    const r = mustDecode(dflt, 'Reboot');
    assert.equal(r.envelope.namespace, 'urn:dslforum-org:cwmp-1-2');
    assert.equal(r.envelope.body.CommandKey, 'k', 'children in the default namespace are read too');
  });

  it('accepts prefixed children as well as unqualified ones', () => {
    const xml = envelope('<cwmp:GetParameterNames><cwmp:ParameterPath>Device.</cwmp:ParameterPath><cwmp:NextLevel>1</cwmp:NextLevel></cwmp:GetParameterNames>');
    assert.deepEqual(mustDecode(xml, 'GetParameterNames').envelope.body, { method: 'GetParameterNames', ParameterPath: 'Device.', NextLevel: true });
  });

  it('accepts any urn:dslforum-org:cwmp-1-N namespace and reports it', () => {
    for (const ns of ['urn:dslforum-org:cwmp-1-0', 'urn:dslforum-org:cwmp-1-2', 'urn:dslforum-org:cwmp-1-3', 'urn:dslforum-org:cwmp-1-4', 'urn:dslforum-org:cwmp-1-7']) {
      assert.equal(mustDecode(envelope(informXml(), { ns }), 'Inform').envelope.namespace, ns);
    }
  });

  it('accepts a message with no Header at all', () => {
    const r = mustDecode(envelope(informXml(), { header: null }), 'Inform');
    assert.deepEqual(r.envelope.header, {});
  });

  it('accepts single-quoted attributes, no XML declaration, a declaration, a BOM and CRLF line ends', () => {
    const single = envelope(informXml({ params: pvs('A', 'x', "xsi:type='xsd:int'") })).replace(/"/g, "'");
    assert.equal(mustDecode(single, 'Inform').envelope.body.ParameterList[0].type, 'xsd:int');
    mustDecode(envelope('<cwmp:GetRPCMethods/>', { declaration: true }), 'GetRPCMethods');
    mustDecode('\ufeff' + envelope('<cwmp:GetRPCMethods/>', { declaration: true }), 'GetRPCMethods');
    const crlf = envelope(informXml({ params: pvs('A', 'one\ntwo') })).replace(/\n/g, '\r\n');
    assert.equal(mustDecode(crlf, 'Inform').envelope.body.ParameterList[0].Value, 'one\ntwo');
  });

  it('ignores zero-padded, wrong or missing arrayType sizes and counts the members (EventStruct[01], [0008])', () => {
    const events = '<EventStruct><EventCode>1 BOOT</EventCode><CommandKey/></EventStruct><EventStruct><EventCode>2 PERIODIC</EventCode><CommandKey/></EventStruct>';
    for (const attr of ['soapenc:arrayType="cwmp:EventStruct[01]"', 'soapenc:arrayType="cwmp:EventStruct[0008]"', 'soapenc:arrayType="cwmp:EventStruct[0]"', '']) {
      const r = mustDecode(envelope(informXml({ event: `<Event ${attr}>${events}</Event>` })), 'Inform');
      assert.deepEqual(r.envelope.body.Event.map((e) => e.EventCode), ['1 BOOT', '2 PERIODIC'], attr);
    }
  });

  it('reads SOAP-ENC:Array typed arrays and encodingStyle attributes anywhere', () => {
    const xml = envelope(
      `<cwmp:GetParameterValuesResponse soapenv:encodingStyle="${SOAP_ENC}"><ParameterList xsi:type="soapenc:Array" ` +
        `soapenc:arrayType="cwmp:ParameterValueStruct[1]" soapenv:encodingStyle="${SOAP_ENC}">${pvs('A', 'b')}</ParameterList></cwmp:GetParameterValuesResponse>`,
    ).replace('<soapenv:Body>', `<soapenv:Body soapenv:encodingStyle="${SOAP_ENC}">`);
    assert.deepEqual(mustDecode(xml, 'GetParameterValuesResponse').envelope.body.ParameterList, [{ Name: 'A', Value: 'b', type: 'xsd:string' }]);
  });

  it('trims names always, trims non-string values, and strips only line-break layout around xsd:string values', () => {
    const { list } = informParams(
      pvs('\n   Device.A\n   ', '\n      spaced value\n   ') +
        pvs(' Device.B ', 'SSID ') +
        pvs('Device.C', '  two  inner  ') +
        pvs('Device.D', '\n 42 \n', 'xsi:type="xsd:unsignedInt"') +
        pvs('Device.E', ' 7 ', 'xsi:type="xsd:int"') +
        pvs('Device.F', 'line1\nline2\n   ') +
        pvs('Device.G', '<![CDATA[ raw <b> ]]>'),
    );
    assert.deepEqual(list.map((p) => [p.Name, p.Value]), [
      ['Device.A', 'spaced value'],
      ['Device.B', 'SSID '],
      ['Device.C', '  two  inner  '],
      ['Device.D', '42'],
      ['Device.E', '7'],
      ['Device.F', 'line1\nline2'],
      ['Device.G', ' raw <b> '],
    ]);
  });

  it('normalises booleans: 0/1/true/false to TS booleans in structs and to "true"/"false" in xsd:boolean Values', () => {
    const names = envelope(
      '<cwmp:GetParameterNamesResponse><ParameterList>' +
        ['1', '0', 'true', 'false', ' TRUE '].map((w, i) => `<ParameterInfoStruct><Name>P${i}</Name><Writable>${w}</Writable></ParameterInfoStruct>`).join('') +
        '</ParameterList></cwmp:GetParameterNamesResponse>',
    );
    assert.deepEqual(mustDecode(names, 'GetParameterNamesResponse').envelope.body.ParameterList.map((p) => p.Writable), [true, false, true, false, true]);
    const { list } = informParams(['1', '0', 'true', 'False', ' 1 '].map((v, i) => pvs(`B${i}`, v, 'xsi:type="xsd:boolean"')).join(''));
    assert.deepEqual(list.map((p) => p.Value), ['true', 'false', 'true', 'false', 'true']);
    const odd = informParams(pvs('B', 'yes', 'xsi:type="xsd:boolean"'));
    assert.deepEqual(odd.list[0], { Name: 'B', Value: 'yes', type: 'xsd:boolean' }, 'a non-boolean is kept as sent');
  });

  it('accepts NextLevel as "0"/"1" (Sagemcom)', () => {
    for (const [text, value] of [['0', false], ['1', true]] as const) {
      const xml = envelope(`<cwmp:GetParameterNames><ParameterPath></ParameterPath><NextLevel>${text}</NextLevel></cwmp:GetParameterNames>`);
      assert.deepEqual(mustDecode(xml, 'GetParameterNames').envelope.body, { method: 'GetParameterNames', ParameterPath: '', NextLevel: value });
    }
  });

  it('reads a Value without xsi:type as xsd:string, with a warning', () => {
    const { list, warnings } = informParams(pvs('Device.X', '5', ''));
    assert.deepEqual(list, [{ Name: 'Device.X', Value: '5', type: 'xsd:string' }]);
    assert.deepEqual(warnings, ['Inform: ParameterList[0] Value of Device.X has no xsi:type, read as xsd:string']);
  });

  it('normalises xsi:type with other prefixes, base64Binary and soap-enc:base64', () => {
    const cases: [string, string][] = [
      ['xsi:type="xs:int"', 'xsd:int'],
      ['xsi:type="soapenc:string"', 'xsd:string'],
      ['xsi:type="SOAP-ENC:base64"', 'xsd:base64'],
      ['xsi:type="xsd:base64Binary"', 'xsd:base64'],
      ['xsi:type="xsd:base64"', 'xsd:base64'],
      ['xsi:type="unsignedLong"', 'xsd:unsignedLong'],
      ['xsi:type="xsd:hexBinary"', 'xsd:hexBinary'],
      ['xmlns:i="http://www.w3.org/2001/XMLSchema-instance" i:type="xsd:long"', 'xsd:long'],
    ];
    for (const [attr, type] of cases) assert.equal(onlyValue(pvs('A', ' 1 ', attr)).type, type, attr);
  });

  it('reads unknown xsd types as xsd:string, with a warning', () => {
    const { list, warnings } = informParams(pvs('Device.X', '1.5 ', 'xsi:type="xsd:decimal"'));
    assert.deepEqual(list, [{ Name: 'Device.X', Value: '1.5 ', type: 'xsd:string' }]);
    assert.match(warnings[0], /Value of Device.X has unknown xsi:type 'xsd:decimal', read as xsd:string/);
  });

  it('keeps dateTime values as sent: Unknown Time, no TZ, 0000-00-00T00:00:00, offsets', () => {
    for (const t of ['0001-01-01T00:00:00Z', '1970-01-02T00:08:34', '0000-00-00T00:00:00', '2018-04-01T19:45:02-04:00']) {
      assert.equal(onlyValue(pvs('T', ` ${t}\n`, 'xsi:type="xsd:dateTime"')).Value, t);
      const inform = mustDecode(envelope(informXml().replace('2026-01-01T00:00:00Z', t)), 'Inform').envelope.body;
      assert.equal(inform.CurrentTime, t);
    }
  });

  it('keeps a Cisco string typed xsd:unsignedInt, value and type as sent', () => {
    assert.deepEqual(onlyValue(pvs('Device.X_00000C_LastRebootCause', 'SW_UPGRADE', 'xsi:type="xsd:unsignedInt"')), {
      Name: 'Device.X_00000C_LastRebootCause', Value: 'SW_UPGRADE', type: 'xsd:unsignedInt',
    });
  });

  it('accepts a parameter literally named ".ExternalIPAddress" (Thomson)', () => {
    assert.equal(onlyValue(pvs('.ExternalIPAddress', '10.0.0.2')).Name, '.ExternalIPAddress');
  });

  it('reads RetryCount "00" and "05" as numbers (Thomson)', () => {
    assert.equal(mustDecode(envelope(informXml({ retry: '00' })), 'Inform').envelope.body.RetryCount, 0);
    assert.equal(mustDecode(envelope(informXml({ retry: '05' })), 'Inform').envelope.body.RetryCount, 5);
  });

  it('reads xsi:type on FaultCode/FaultString, a prefixed faultcode, and a missing one', () => {
    const fault = (faultcode: string): string =>
      `<soapenv:Fault>${faultcode}<faultstring>CWMP fault</faultstring><detail><cwmp:Fault>` +
      '<FaultCode xsi:type="xsd:unsignedInt">9005</FaultCode><FaultString xsi:type="xsd:string">Invalid parameter name</FaultString>' +
      '</cwmp:Fault></detail></soapenv:Fault>';
    const expected = { method: 'Fault', faultcode: 'Client', FaultCode: 9005, FaultString: 'Invalid parameter name' };
    assert.deepEqual(mustDecode(envelope(fault('<faultcode>soapenv:Client</faultcode>')), 'Fault').envelope.body, expected);
    const missing = mustDecode(envelope(fault('')), 'Fault');
    assert.deepEqual(missing.envelope.body, expected, 'Client from the catalogue');
    assert.equal(missing.warnings.length, 1);
  });

  it('reads a SetParameterValuesFault list, and FaultString when absent', () => {
    const xml = envelope(
      '<soapenv:Fault><faultcode>Client</faultcode><faultstring>CWMP fault</faultstring><detail><cwmp:Fault><FaultCode>9003</FaultCode>' +
        '<SetParameterValuesFault><ParameterName>A.B</ParameterName><FaultCode>9007</FaultCode></SetParameterValuesFault>' +
        '<SetParameterValuesFault><ParameterName>A.C</ParameterName><FaultCode>9008</FaultCode><FaultString>ro</FaultString></SetParameterValuesFault>' +
        '</cwmp:Fault></detail></soapenv:Fault>',
    );
    assert.deepEqual(mustDecode(xml, 'Fault').envelope.body, {
      method: 'Fault', faultcode: 'Client', FaultCode: 9003, FaultString: '',
      SetParameterValuesFault: [
        { ParameterName: 'A.B', FaultCode: 9007, FaultString: '' },
        { ParameterName: 'A.C', FaultCode: 9008, FaultString: 'ro' },
      ],
    });
  });

  it('reads a bare cwmp:Fault as the Body entry', () => {
    const xml = envelope('<cwmp:Fault><FaultCode>9000</FaultCode><FaultString>Method not supported</FaultString></cwmp:Fault>');
    assert.deepEqual(mustDecode(xml, 'Fault').envelope.body, { method: 'Fault', faultcode: 'Server', FaultCode: 9000, FaultString: 'Method not supported' });
  });

  it('reads an RPC element without namespace, with a warning', () => {
    const r = mustDecode(envelope('<Reboot><CommandKey>k</CommandKey></Reboot>', { ns: 'urn:dslforum-org:cwmp-1-2' }), 'Reboot');
    assert.equal(r.envelope.namespace, 'urn:dslforum-org:cwmp-1-2', 'taken from the header');
    assert.deepEqual(r.warnings, ['Reboot is not namespace-qualified; read as urn:dslforum-org:cwmp-1-2']);
  });

  it('decodes character references and the five XML entities in values and attributes', () => {
    const p = onlyValue(pvs('A&amp;B', '&lt;x&gt; &quot;&apos;&amp; &#65;&#x42;&#x1F600;', 'xsi:type="xsd:&#115;tring"'));
    assert.deepEqual(p, { Name: 'A&B', Value: '<x> "\'& AB😀', type: 'xsd:string' });
  });

  it('defaults XSD-optional arguments: ChangeDUState/DUStateChangeComplete CommandKey, DU Fault FaultString', () => {
    const cds = envelope('<cwmp:ChangeDUState><Operations xsi:type="cwmp:UninstallOpStruct"><UUID> 1e9f2c40-7d0b-4f5a-8c36-2b7a9e4d5f61 </UUID></Operations></cwmp:ChangeDUState>');
    assert.deepEqual(mustDecode(cds, 'ChangeDUState').envelope.body, {
      method: 'ChangeDUState', Operations: [{ op: 'Uninstall', UUID: '1e9f2c40-7d0b-4f5a-8c36-2b7a9e4d5f61' }], CommandKey: '',
    });
    const result = '<UUID>u</UUID><DeploymentUnitRef>d</DeploymentUnitRef><Version>1</Version><CurrentState>Installed</CurrentState>' +
      '<Resolved>1</Resolved><ExecutionUnitRefList></ExecutionUnitRefList><StartTime>t</StartTime><CompleteTime>t</CompleteTime><Fault><FaultCode>0</FaultCode></Fault>';
    const body = mustDecode(envelope(`<cwmp:DUStateChangeComplete><Results>${result}</Results></cwmp:DUStateChangeComplete>`), 'DUStateChangeComplete').envelope.body;
    assert.equal(body.CommandKey, '');
    assert.deepEqual(body.Results[0].Fault, { FaultCode: 0, FaultString: '' });
    // a peer that wraps Results as a SOAP array is read too
    const wrapped = `<cwmp:DUStateChangeComplete><Results soapenc:arrayType="cwmp:OpResultStruct[2]"><OpResultStruct>${result}</OpResultStruct>` +
      `<OpResultStruct>${result}</OpResultStruct></Results><CommandKey>k</CommandKey></cwmp:DUStateChangeComplete>`;
    assert.equal(mustDecode(envelope(wrapped), 'DUStateChangeComplete').envelope.body.Results.length, 2);
  });

  it('ignores comments and processing instructions between elements', () => {
    const xml = envelope(`<!-- hi --><cwmp:Reboot><?pi x?><CommandKey>k<!-- c -->2</CommandKey></cwmp:Reboot>`);
    assert.equal(mustDecode(xml, 'Reboot').envelope.body.CommandKey, 'k2');
  });
});
