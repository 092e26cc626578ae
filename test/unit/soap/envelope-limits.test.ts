import { strict as assert } from 'node:assert';
import { decode } from '../../../src/cwmp/soap/decode';
import { MAX_ID_LENGTH } from '../../../src/cwmp/soap/header';
import { envelope, mustDecode, mustFail } from './helpers';

const id = (text: string): string => `<cwmp:ID soapenv:mustUnderstand="1">${text}</cwmp:ID>`;

describe('soap: envelope limits (one Header, one Body, a bounded cwmp:ID, instance numbers)', function () {
  it('refuses two Bodies, and two Headers, as malformed naming the count', () => {
    const twoBodies = envelope('<cwmp:GetRPCMethods/>').replace('</soapenv:Envelope>', '<soapenv:Body><cwmp:Reboot/></soapenv:Body></soapenv:Envelope>');
    assert.equal(mustFail(twoBodies, 'malformed').reason, 'Envelope has 2 Body elements; SOAP allows one');
    const twoHeaders = envelope('<cwmp:GetRPCMethods/>').replace('<soapenv:Body>', `<soapenv:Header>${id('2')}</soapenv:Header><soapenv:Body>`);
    assert.equal(mustFail(twoHeaders, 'malformed').reason, 'Envelope has 2 Header elements; SOAP allows one');
    // A Body of another namespace is no SOAP Body: it does not count.
    const foreign = envelope('<cwmp:GetRPCMethods/>').replace('</soapenv:Envelope>', '<x:Body xmlns:x="urn:x"/></soapenv:Envelope>');
    mustDecode(foreign, 'GetRPCMethods');
  });

  it('keeps refusing two methods in one Body', () => {
    assert.equal(mustFail(envelope('<cwmp:GetRPCMethods/><cwmp:Reboot/>'), 'malformed').reason, 'Body has 2 entries; CWMP needs exactly one');
  });

  it(`reads a cwmp:ID of ${MAX_ID_LENGTH} characters, and refuses a longer one without echoing it`, () => {
    const longest = 'i'.repeat(MAX_ID_LENGTH);
    assert.equal(mustDecode(envelope('<cwmp:GetRPCMethods/>', { header: id(longest) }), 'GetRPCMethods').envelope.header.ID, longest);
    const r = mustFail(envelope('<cwmp:GetRPCMethods/>', { header: id('x'.repeat(10_240)) }), 'invalid-arguments');
    assert.equal(r.reason, `Header: ID is longer than ${MAX_ID_LENGTH} characters (10240)`);
    assert.equal(r.id, undefined);
    // Still not echoed when the method itself is the problem.
    assert.equal(mustFail(envelope('<cwmp:Frobnicate/>', { header: id('x'.repeat(MAX_ID_LENGTH + 1)) }), 'unknown-method').id, undefined);
  });

  it('names the method whose arguments were bad, so a bad response can fail its request', () => {
    const r = decode(envelope('<cwmp:AddObjectResponse><InstanceNumber>funcObj</InstanceNumber><Status>0</Status></cwmp:AddObjectResponse>'));
    assert.ok(!r.ok);
    assert.equal(r.method, 'AddObjectResponse');
    assert.equal(r.reason, "AddObjectResponse: InstanceNumber is not a number ('funcObj')");
  });

  it('reads an AddObjectResponse InstanceNumber only from 1 to 4294967295', () => {
    const add = (n: string): string => envelope(`<cwmp:AddObjectResponse><InstanceNumber>${n}</InstanceNumber><Status>0</Status></cwmp:AddObjectResponse>`);
    assert.equal(mustDecode(add('1'), 'AddObjectResponse').envelope.body.InstanceNumber, 1);
    assert.equal(mustDecode(add('4294967295'), 'AddObjectResponse').envelope.body.InstanceNumber, 4294967295);
    for (const bad of ['0', '-1', '4294967296']) {
      assert.equal(mustFail(add(bad), 'invalid-arguments').reason, `AddObjectResponse: InstanceNumber must be an instance number (an integer from 1) ('${bad}')`);
    }
  });

  it('refuses a GetParameterNamesResponse whose digit segments are no instance numbers, not object names', () => {
    const gpn = (name: string): string => envelope(
      `<cwmp:GetParameterNamesResponse><ParameterList><ParameterInfoStruct><Name>${name}</Name><Writable>0</Writable></ParameterInfoStruct></ParameterList></cwmp:GetParameterNamesResponse>`,
    );
    for (const ok of ['Device.Hosts.Host.12.', 'Device.Hosts.Host.funcObj.', 'Device.Hosts.Host.1.IPv4Address.2.IPAddress']) {
      assert.equal(mustDecode(gpn(ok), 'GetParameterNamesResponse').envelope.body.ParameterList[0].Name, ok);
    }
    assert.equal(mustFail(gpn('Device.Hosts.Host.007.'), 'invalid-arguments').reason,
      "GetParameterNamesResponse: ParameterList[0].Name has '007' where an instance number (an integer from 1) belongs ('Device.Hosts.Host.007.')");
    assert.match(mustFail(gpn('Device.Hosts.Host.0.Active'), 'invalid-arguments').reason, /has '0' where an instance number/);
  });
});
