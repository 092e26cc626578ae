/**
 * Hostile and broken input: refused quickly, as values, never expanded,
 * never thrown. (SOAP 1.1 sec. 3: "A SOAP message MUST NOT contain a
 * Document Type Declaration".)
 */
import { strict as assert } from 'node:assert';
import { decode } from '../../../src/cwmp/soap/decode';
import { envelope, informXml, mustFail, readCapture } from './helpers';

const NO_DTD = 'DOCTYPE/ENTITY declarations are not allowed';

function timed<T>(f: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = f();
  return { value, ms: performance.now() - start };
}

const billionLaughs =
  '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
  Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('') +
  ']>' + envelope('<cwmp:Reboot><CommandKey>&lol9;</CommandKey></cwmp:Reboot>');

describe('soap: hostile and broken input', () => {
  it('"MUST NOT contain a Document Type Declaration": an external entity (XXE) is refused unread', () => {
    const xml = '<?xml version="1.0"?>\n<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n' +
      envelope('<cwmp:Reboot><CommandKey>&xxe;</CommandKey></cwmp:Reboot>');
    const r = mustFail(xml, 'malformed');
    assert.equal(r.reason, NO_DTD);
    assert.doesNotMatch(JSON.stringify(r), /root:/);
  });

  it('refuses a billion-laughs payload quickly (< 50 ms) without expanding it', () => {
    const { value, ms } = timed(() => decode(billionLaughs));
    assert.deepEqual(value, { ok: false, kind: 'malformed', reason: NO_DTD });
    assert.ok(ms < 50, `took ${ms} ms`);
  });

  it('refuses a DOCTYPE without internal subset, a lower-case one, and a stray ENTITY', () => {
    for (const prolog of ['<!DOCTYPE soapenv:Envelope SYSTEM "http://evil.example/x.dtd">', '<!doctype x>', '<!ENTITY a "b">']) {
      assert.equal(mustFail(prolog + envelope('<cwmp:GetRPCMethods/>'), 'malformed').reason, NO_DTD);
    }
  });

  it('leaves undeclared entity references literal', () => {
    const r = decode(envelope('<cwmp:Reboot><CommandKey>&xxe;&nbsp;&#65;&#x42;</CommandKey></cwmp:Reboot>'));
    assert.ok(r.ok);
    assert.deepEqual(r.envelope.body, { method: 'Reboot', CommandKey: '&xxe;&nbsp;AB' });
  });

  it('refuses a reference to a non-XML character rather than drop it (a value is never silently changed)', () => {
    for (const ref of ['&#0;', '&#1;', '&#xFFFE;']) {
      assert.match(mustFail(envelope(`<cwmp:Reboot><CommandKey>a${ref}b</CommandKey></cwmp:Reboot>`), 'malformed').reason, /is not an XML character/);
    }
  });

  it('reports a truncated message as malformed, naming the unclosed tags', () => {
    const xml = readCapture('zte-F600W.Inform.BOOTSTRAP.xml');
    const cut = xml.slice(0, xml.indexOf('<ParameterList'));
    assert.match(mustFail(cut, 'malformed').reason, /^XML: unclosed tags SOAP-ENV:Envelope, SOAP-ENV:Body, cwmp:Inform at end of document/);
    assert.match(mustFail(envelope('<cwmp:Reboot>'), 'malformed').reason, /^XML: .*line \d+/);
  });

  it('reports mismatched tags with the line number', () => {
    const r = mustFail(envelope('<cwmp:Inform>\n<DeviceId></Device>\n</cwmp:Inform>'), 'malformed');
    assert.match(r.reason, /^XML: Expected closing tag 'DeviceId'.* at line 4$/);
  });

  it('refuses a body that is not XML, or XML that is not a SOAP 1.1 envelope', () => {
    for (const body of ['hello', '{"Inform":{}}', 'GET / HTTP/1.1']) assert.match(mustFail(body, 'malformed').reason, /^XML: /);
    assert.match(mustFail('<html><body>hi</body></html>', 'malformed').reason, /not a SOAP 1\.1 Envelope: the root element is html/);
    const soap12 = '<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>';
    assert.match(mustFail(soap12, 'malformed').reason, /root element is \{http:\/\/www\.w3\.org\/2003\/05\/soap-envelope\}Envelope/);
    assert.equal(mustFail('<a/><b/>', 'malformed').reason, 'XML: 2 root elements');
  });

  it('says "empty body" for an empty or blank string', () => {
    assert.equal(mustFail('', 'malformed').reason, 'empty body');
    assert.equal(mustFail(' \r\n\t', 'malformed').reason, 'empty body');
  });

  it('refuses a Body with no entry or two entries, echoing the ID', () => {
    const none = mustFail(envelope(''), 'malformed');
    assert.deepEqual(none, { ok: false, kind: 'malformed', reason: 'Body has 0 entries; CWMP needs exactly one', id: 'id-1' });
    const two = mustFail(envelope('<cwmp:GetRPCMethods/><cwmp:GetRPCMethods/>'), 'malformed');
    assert.equal(two.reason, 'Body has 2 entries; CWMP needs exactly one');
    assert.equal(two.id, 'id-1');
    const noBody = '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header/></s:Envelope>';
    assert.equal(mustFail(noBody, 'malformed').reason, 'Envelope has no Body');
  });

  it('answers an unknown method in a cwmp namespace with unknown-method, the ID and the namespace', () => {
    const r = mustFail(envelope('<cwmp:Frobnicate><X>1</X></cwmp:Frobnicate>', { ns: 'urn:dslforum-org:cwmp-1-2' }), 'unknown-method');
    assert.deepEqual(r, { ok: false, kind: 'unknown-method', reason: 'method Frobnicate is not supported', id: 'id-1', namespace: 'urn:dslforum-org:cwmp-1-2' });
    // Deprecated RPCs outside our union, and Object.prototype names
    for (const m of ['SetVouchers', 'GetOptions', 'constructor', 'toString', '__defineGetter__']) {
      assert.equal(mustFail(envelope(`<cwmp:${m}/>`), 'unknown-method').reason, `method ${m} is not supported`);
    }
    const foreign = mustFail(envelope('<x:Inform xmlns:x="urn:example:other"/>'), 'unknown-method');
    assert.equal(foreign.reason, '{urn:example:other}Inform is not a CWMP method');
  });

  it('refuses an undeclared prefix on the Body entry', () => {
    assert.equal(mustFail(envelope('<foo:Reboot/>'), 'malformed').reason, "XML: undeclared namespace prefix 'foo'");
  });

  it('answers an Inform without DeviceId with invalid-arguments naming method and field', () => {
    const r = mustFail(envelope(informXml({ deviceId: '' })), 'invalid-arguments');
    assert.deepEqual(r, { ok: false, kind: 'invalid-arguments', reason: 'Inform: DeviceId missing', id: 'id-1', namespace: 'urn:dslforum-org:cwmp-1-0', method: 'Inform' });
    const noOui = informXml({ deviceId: '<DeviceId><Manufacturer>A</Manufacturer><ProductClass>B</ProductClass><SerialNumber>C</SerialNumber></DeviceId>' });
    assert.equal(mustFail(envelope(noOui), 'invalid-arguments').reason, 'Inform: DeviceId.OUI missing');
  });

  it('answers a non-numeric number, a missing nested field, a bad enum with invalid-arguments', () => {
    assert.equal(mustFail(envelope(informXml({ retry: 'abc' })), 'invalid-arguments').reason, "Inform: RetryCount is not a number ('abc')");
    const noName = informXml({ params: '<ParameterValueStruct><Name>A</Name><Value>1</Value></ParameterValueStruct><ParameterValueStruct><Value>1</Value></ParameterValueStruct>' });
    assert.equal(mustFail(envelope(noName), 'invalid-arguments').reason, 'Inform: ParameterList[1].Name missing');
    assert.equal(mustFail(envelope('<cwmp:SetParameterValuesResponse><Status>2</Status></cwmp:SetParameterValuesResponse>'), 'invalid-arguments').reason,
      "SetParameterValuesResponse: Status must be 0 or 1 ('2')");
    assert.equal(mustFail(envelope('<cwmp:ScheduleInform><DelaySeconds>-5</DelaySeconds><CommandKey/></cwmp:ScheduleInform>'), 'invalid-arguments').reason,
      "ScheduleInform: DelaySeconds must be an unsignedInt ('-5')");
    assert.equal(mustFail(envelope('<cwmp:GetParameterNames><ParameterPath/><NextLevel>maybe</NextLevel></cwmp:GetParameterNames>'), 'invalid-arguments').reason,
      "GetParameterNames: NextLevel is not a boolean ('maybe')");
    const op = '<cwmp:ChangeDUState><Operations><URL>http://x/</URL></Operations></cwmp:ChangeDUState>';
    assert.equal(mustFail(envelope(op), 'invalid-arguments').reason, 'ChangeDUState: Operations[0] has no xsi:type');
    assert.equal(mustFail(envelope('<cwmp:ChangeDUState/>'), 'invalid-arguments').reason, 'ChangeDUState: Operations missing');
    assert.equal(mustFail(envelope('<soapenv:Fault><faultcode>Client</faultcode></soapenv:Fault>'), 'invalid-arguments').reason, 'Fault: detail missing');
  });

  it('refuses pathological nesting without blowing the stack', () => {
    const { value, ms } = timed(() => decode(envelope('<a>'.repeat(50_000) + '</a>'.repeat(50_000))));
    assert.ok(!value.ok && value.kind === 'malformed', JSON.stringify(value));
    assert.ok(ms < 2000, `took ${ms} ms`);
  });

  it('refuses prototype-polluting element names and leaves Object.prototype alone', () => {
    const r = decode(envelope(informXml({ params: '<__proto__><polluted>1</polluted></__proto__>' })));
    assert.ok(!r.ok);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});

describe('soap: failure reasons', () => {
  it('are one line, even when the offending value spans lines or is huge', () => {
    const r = mustFail(envelope(informXml({ retry: `1\n2${'9'.repeat(500)}` })), 'invalid-arguments');
    assert.ok(!r.reason.includes('\n'), r.reason);
    assert.ok(r.reason.length < 120, r.reason);
    assert.match(r.reason, /^Inform: RetryCount is not a number \('1\\n29+…'\)$/);
    const deep = mustFail('<a>'.repeat(10_000), 'malformed');
    assert.equal(deep.reason, 'XML: unclosed tags a, a, a ... (10000 tags) at end of document (truncated?)');
  });
});
