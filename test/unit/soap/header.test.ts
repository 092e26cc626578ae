/**
 * SOAP header entries (TR-069 A.4.2) and CWMP version negotiation
 * (Amd 5/6 sec. 3.7.4: highest common version, UseCWMPVersion, fault 8006).
 */
import { strict as assert } from 'node:assert';
import { decode } from '../../../src/cwmp/soap/decode';
import { encode } from '../../../src/cwmp/soap/encode';
import { cwmpVersionOfNamespace, namespaceOfVersion, negotiateVersion } from '../../../src/cwmp/soap/version';
import type { CwmpHeader } from '../../../src/cwmp/soap/types';
import { NS12, samples } from './fixtures';
import { envelope, mustDecode, mustFail } from './helpers';

const mu = (name: string, value: string, m = '1'): string => `<cwmp:${name} soapenv:mustUnderstand="${m}">${value}</cwmp:${name}>`;

function headerOf(entries: string): CwmpHeader {
  return mustDecode(envelope('<cwmp:GetRPCMethods/>', { header: entries }), 'GetRPCMethods').envelope.header;
}

describe('soap: header', () => {
  it('reads cwmp:ID as a string, for echoing', () => {
    assert.deepEqual(headerOf(mu('ID', '00042')), { ID: '00042' });
    assert.deepEqual(headerOf(mu('ID', '\n   id with spaces \n')), { ID: 'id with spaces' });
  });

  it('reads HoldRequests (0/1/true/false), SessionTimeout, SupportedCWMPVersions, UseCWMPVersion, NoMoreRequests', () => {
    const h = headerOf(
      mu('ID', '7') + mu('HoldRequests', '1') + mu('SessionTimeout', ' 30 ', '0') + mu('SupportedCWMPVersions', '1.0,1.1,1.2,1.3,1.4', '0') +
        mu('UseCWMPVersion', '1.4') + mu('NoMoreRequests', '1', '0'),
    );
    assert.deepEqual(h, { ID: '7', HoldRequests: true, SessionTimeout: 30, SupportedCWMPVersions: '1.0,1.1,1.2,1.3,1.4', UseCWMPVersion: '1.4', NoMoreRequests: true });
    assert.deepEqual(headerOf(mu('HoldRequests', 'false')), { HoldRequests: false });
  });

  it('echoes the ID in failures after the header was read', () => {
    const r = mustFail(envelope('<cwmp:GetRPCMethods/>', { header: mu('ID', 'abc') + mu('HoldRequests', 'perhaps') }), 'invalid-arguments');
    assert.deepEqual(r, { ok: false, kind: 'invalid-arguments', reason: "Header: HoldRequests is not a boolean ('perhaps')", id: 'abc', namespace: 'urn:dslforum-org:cwmp-1-0', method: 'GetRPCMethods' });
    assert.equal(mustFail(envelope('<cwmp:GetRPCMethods/>', { header: mu('SessionTimeout', 'soon', '0') }), 'invalid-arguments').reason,
      "Header: SessionTimeout is not a number ('soon')");
  });

  it('ignores foreign header entries, warning only about mustUnderstand ones', () => {
    const r = decode(envelope('<cwmp:GetRPCMethods/>', { header: mu('ID', '1') + '<w:Sec xmlns:w="urn:x" soapenv:mustUnderstand="1"/><w:ID xmlns:w="urn:x">9</w:ID>' }));
    assert.ok(r.ok);
    assert.deepEqual(r.envelope.header, { ID: '1' });
    assert.deepEqual(r.warnings, ['Header: entry Sec (mustUnderstand) ignored']);
  });

  it('writes entries only when set, with the mustUnderstand values the XSDs fix', () => {
    const xml = encode({
      header: { ID: 'x', HoldRequests: false, SessionTimeout: 30, SupportedCWMPVersions: '1.0,1.4', UseCWMPVersion: '1.4', NoMoreRequests: true },
      body: samples.InformResponse,
      namespace: NS12,
    });
    assert.ok(xml.includes(
      '<soap-env:Header><cwmp:ID soap-env:mustUnderstand="1">x</cwmp:ID>' +
        '<cwmp:HoldRequests soap-env:mustUnderstand="1">0</cwmp:HoldRequests>' +
        '<cwmp:SessionTimeout soap-env:mustUnderstand="0">30</cwmp:SessionTimeout>' +
        '<cwmp:SupportedCWMPVersions soap-env:mustUnderstand="0">1.0,1.4</cwmp:SupportedCWMPVersions>' +
        '<cwmp:UseCWMPVersion soap-env:mustUnderstand="1">1.4</cwmp:UseCWMPVersion>' +
        '<cwmp:NoMoreRequests soap-env:mustUnderstand="0">1</cwmp:NoMoreRequests></soap-env:Header>',
    ), xml);
    const bare = encode({ header: {}, body: samples.InformResponse, namespace: NS12 });
    assert.ok(!bare.includes('Header'), 'no Header element when nothing is set');
  });
});

describe('soap: CWMP version', () => {
  it('maps namespaces to versions', () => {
    assert.equal(cwmpVersionOfNamespace('urn:dslforum-org:cwmp-1-0'), '1.0');
    assert.equal(cwmpVersionOfNamespace('urn:dslforum-org:cwmp-1-1'), '1.1');
    assert.equal(cwmpVersionOfNamespace('urn:dslforum-org:cwmp-1-2'), '1.2');
    assert.equal(cwmpVersionOfNamespace('urn:dslforum-org:cwmp-1-3'), '1.4');
    assert.equal(cwmpVersionOfNamespace('urn:dslforum-org:cwmp-1-4'), '1.4');
    assert.equal(cwmpVersionOfNamespace('urn:example'), undefined);
    assert.equal(namespaceOfVersion('1.3'), 'urn:dslforum-org:cwmp-1-2');
    assert.equal(namespaceOfVersion('1.0'), 'urn:dslforum-org:cwmp-1-0');
  });

  it('"choose the highest common version" from SupportedCWMPVersions and announce it in UseCWMPVersion', () => {
    assert.deepEqual(negotiateVersion(NS12, { SupportedCWMPVersions: '1.0,1.1,1.2,1.3,1.4' }), { ok: true, version: '1.4', useCwmpVersion: '1.4' });
    assert.deepEqual(negotiateVersion(NS12, { SupportedCWMPVersions: '1.0, 1.2 ,1.3' }), { ok: true, version: '1.3', useCwmpVersion: '1.3' });
    assert.deepEqual(negotiateVersion(NS12, { SupportedCWMPVersions: '1.4,1.5,2.0' }), { ok: true, version: '1.4', useCwmpVersion: '1.4' });
    assert.deepEqual(negotiateVersion('urn:dslforum-org:cwmp-1-4', { SupportedCWMPVersions: '1.0,1.1' }), { ok: true, version: '1.1', useCwmpVersion: '1.1' });
  });

  it('"if none is common, Fault 8006"', () => {
    const r = negotiateVersion(NS12, { SupportedCWMPVersions: '2.0,2.1' });
    assert.ok(!r.ok);
    assert.equal(r.fault.FaultCode, 8006);
    assert.equal(r.fault.faultcode, 'Server');
    assert.match(r.fault.FaultString, /No common CWMP version in "2.0,2.1"/);
  });

  it('infers the version from the namespace without SupportedCWMPVersions', () => {
    assert.deepEqual(negotiateVersion('urn:dslforum-org:cwmp-1-0', {}), { ok: true, version: '1.0' });
    assert.deepEqual(negotiateVersion('urn:dslforum-org:cwmp-1-1', { ID: '1' }), { ok: true, version: '1.1' });
    assert.deepEqual(negotiateVersion(NS12, {}), { ok: true, version: '1.2' });
    assert.deepEqual(negotiateVersion(NS12, { SessionTimeout: 30 }), { ok: true, version: '1.3' });
    assert.deepEqual(negotiateVersion('urn:dslforum-org:cwmp-1-3', {}), { ok: true, version: '1.4' });
    assert.deepEqual(negotiateVersion('urn:dslforum-org:cwmp-1-4', {}), { ok: true, version: '1.4' });
    const bad = negotiateVersion('urn:example', {});
    assert.ok(!bad.ok && bad.fault.FaultCode === 8006);
  });
});
