/**
 * "Be strict in what you send": the exact text the encoder writes.
 */
import { strict as assert } from 'node:assert';
import { decode } from '../../../src/cwmp/soap/decode';
import { encode } from '../../../src/cwmp/soap/encode';
import { acsFault } from '../../../src/cwmp/soap/fault-codes';
import type { CwmpMessage } from '../../../src/cwmp/soap/types';
import { escapeXml } from '../../../src/cwmp/soap/xml';
import { NS12, samples, typedValues } from './fixtures';

const bodyOf = (message: CwmpMessage): string => {
  const xml = encode({ header: {}, body: message, namespace: NS12 });
  return xml.slice(xml.indexOf('<soap-env:Body>') + 15, xml.indexOf('</soap-env:Body>'));
};

describe('soap: encode', () => {
  it('writes a complete SOAP 1.1 envelope with the XML declaration, fixed prefixes and the given cwmp namespace', () => {
    const xml = encode({ header: { ID: '1' }, body: samples.GetRPCMethods, namespace: 'urn:dslforum-org:cwmp-1-0' });
    assert.equal(
      xml,
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
        '<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/" xmlns:soap-enc="http://schemas.xmlsoap.org/soap/encoding/"' +
        ' xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:cwmp="urn:dslforum-org:cwmp-1-0">' +
        '<soap-env:Header><cwmp:ID soap-env:mustUnderstand="1">1</cwmp:ID></soap-env:Header>' +
        '<soap-env:Body><cwmp:GetRPCMethods/></soap-env:Body></soap-env:Envelope>',
    );
  });

  it('writes exact soap-enc:arrayType sizes, including [0]', () => {
    assert.match(bodyOf(samples.SetParameterValues), /<ParameterList soap-enc:arrayType="cwmp:ParameterValueStruct\[10\]">/);
    assert.match(bodyOf(samples.GetParameterValues), /<ParameterNames soap-enc:arrayType="xsd:string\[2\]"><string>Device.DeviceInfo.SoftwareVersion<\/string>/);
    assert.match(bodyOf(samples.SetParameterAttributes), /<AccessList soap-enc:arrayType="xsd:string\[0\]"><\/AccessList>/);
    assert.match(bodyOf(samples.Inform), /<Event soap-enc:arrayType="cwmp:EventStruct\[2\]"><EventStruct><EventCode>1 BOOT<\/EventCode>/);
    assert.match(bodyOf(samples.ScheduleDownload), /<TimeWindowList soap-enc:arrayType="cwmp:TimeWindowStruct\[2\]">/);
    assert.match(bodyOf(samples.GetParameterValuesResponse), /soap-enc:arrayType="cwmp:ParameterValueStruct\[10\]"/);
    assert.match(bodyOf(samples.RequestDownload), /<FileTypeArg soap-enc:arrayType="cwmp:ArgStruct\[1\]">/);
  });

  it('puts xsi:type on every Value, writing xsd:base64 as soap-enc:base64', () => {
    const body = bodyOf(samples.SetParameterValues);
    const types = [...body.matchAll(/<Value xsi:type="([^"]+)">/g)].map((m) => m[1]);
    assert.deepEqual(types, typedValues.map((p) => (p.type === 'xsd:base64' ? 'soap-enc:base64' : p.type)));
    assert.equal((body.match(/<Value/g) ?? []).length, typedValues.length);
  });

  it('types ChangeDUState operations with xsi:type and writes them as repeated elements in XSD order', () => {
    assert.equal(
      bodyOf(samples.ChangeDUState),
      '<cwmp:ChangeDUState>' +
        '<Operations xsi:type="cwmp:InstallOpStruct"><URL>http://acs.example.net/du/speedtest-1.0.ipk</URL><UUID>6ba7b810-9dad-11d1-80b4-00c04fd430c8</UUID>' +
        '<Username></Username><Password></Password><ExecutionEnvRef>Device.SoftwareModules.ExecEnv.1.</ExecutionEnvRef></Operations>' +
        '<Operations xsi:type="cwmp:UpdateOpStruct"><UUID>0f6c1b3e-2a44-4b1c-9d51-3c2e1a7b9d10</UUID><Version>2.0</Version>' +
        '<URL>http://acs.example.net/du/iperf-2.0.ipk</URL></Operations>' +
        '<Operations xsi:type="cwmp:UninstallOpStruct"><UUID>1e9f2c40-7d0b-4f5a-8c36-2b7a9e4d5f61</UUID></Operations>' +
        '<CommandKey>du-batch-7</CommandKey></cwmp:ChangeDUState>',
    );
  });

  it('writes a Fault as soap-env:Fault with faultcode, "CWMP fault", detail/cwmp:Fault', () => {
    assert.equal(
      bodyOf(acsFault(8005)),
      '<soap-env:Fault><faultcode>Server</faultcode><faultstring>CWMP fault</faultstring><detail><cwmp:Fault>' +
        '<FaultCode>8005</FaultCode><FaultString>Retry request</FaultString></cwmp:Fault></detail></soap-env:Fault>',
    );
    assert.match(
      bodyOf(samples.Fault),
      /<FaultCode>9003<\/FaultCode><FaultString>Invalid arguments<\/FaultString><SetParameterValuesFault><ParameterName>Device.WiFi.SSID.1.SSID<\/ParameterName><FaultCode>9007<\/FaultCode>/,
    );
  });

  it('writes empty RPCs self-closed and booleans as true/false', () => {
    assert.equal(bodyOf(samples.FactoryResetResponse), '<cwmp:FactoryResetResponse/>');
    assert.equal(bodyOf(samples.GetParameterNames), '<cwmp:GetParameterNames><ParameterPath>Device.WiFi.</ParameterPath><NextLevel>true</NextLevel></cwmp:GetParameterNames>');
  });

  it('escapes &, <, >, quotes in text', () => {
    assert.equal(escapeXml(`a&b<c>d"e'f`), 'a&amp;b&lt;c&gt;d&quot;e&apos;f');
    assert.match(bodyOf(samples.Download), /<Username>fw&amp;user<\/Username><Password>p&lt;w&gt;d<\/Password>/);
    assert.match(encode({ header: { ID: '"<&>' }, body: samples.GetRPCMethods, namespace: NS12 }), /<cwmp:ID soap-env:mustUnderstand="1">&quot;&lt;&amp;&gt;<\/cwmp:ID>/);
  });

  it('drops characters XML 1.0 cannot carry and writes CR and C1 controls as character references', () => {
    assert.equal(escapeXml('a\u0000b\u0001c\u0008d\u000Be\u001Ff'), 'abcdef');
    assert.equal(escapeXml('tab\there\nnl'), 'tab\there\nnl');
    assert.equal(escapeXml('cr\rx\u007F\u0085'), 'cr&#13;x&#127;&#133;');
    assert.equal(escapeXml('lone\uD800 surrogate\uDFFF, pair 😀, \uFFFE\uFFFF'), 'lone surrogate, pair 😀, ');
    assert.equal(escapeXml('plain ASCII stays the same string'), 'plain ASCII stays the same string');
    const xml = encode({ header: {}, body: { method: 'Kicked', Command: 'c', Referer: 'r\u0002', Arg: 'line\r\nend', Next: 'n' }, namespace: NS12 });
    const r = decode(xml);
    assert.ok(r.ok && r.envelope.body.method === 'Kicked');
    assert.equal(r.envelope.body.Referer, 'r');
    assert.equal(r.envelope.body.Arg, 'line\r\nend', 'CR survives as &#13;');
  });
});
