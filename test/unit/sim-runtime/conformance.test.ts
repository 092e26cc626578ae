import { strict as assert } from 'node:assert';
import { encode } from '../../../src/cwmp/soap/encode';
import { checkAcsRequest, checkResponse, readAnswer } from '../../../src/sim/conformance';
import type { PostOk } from '../../../src/sim/transport/acs-client';

const NS = 'urn:dslforum-org:cwmp-1-2';

function res(status: number, body: string, contentType = 'text/xml; charset="utf-8"'): PostOk {
  return { ok: true, status, headers: { 'content-type': contentType }, body, rttUs: 1, totalUs: 1, attempts: 1 };
}

describe('simulator conformance checks of what the ACS sends', function () {
  it('accepts a well-formed InformResponse in our namespace with the ID echoed', function () {
    const xml = encode({ header: { ID: '7' }, body: { method: 'InformResponse', MaxEnvelopes: 1 }, namespace: NS });
    const a = readAnswer(res(200, xml), NS);
    assert.equal(a.kind, 'message');
    assert.deepEqual(a.violations, []);
    assert.deepEqual(a.kind === 'message' ? checkResponse(a.envelope, 'Inform', '7') : ['x'], []);
  });

  it('reports an ID not echoed, a wrong namespace and a wrong Content-Type', function () {
    const xml = encode({ header: { ID: '8' }, body: { method: 'InformResponse', MaxEnvelopes: 1 }, namespace: 'urn:dslforum-org:cwmp-1-0' });
    const a = readAnswer(res(200, xml, 'text/plain'), NS);
    assert.equal(a.kind, 'message');
    assert.ok(a.violations.some((v) => /namespace/.test(v)));
    assert.ok(a.violations.some((v) => /Content-Type/.test(v)));
    if (a.kind === 'message') assert.match(checkResponse(a.envelope, 'Inform', '7').join(), /not echoed/);
  });

  it('reports a 200 with an empty body (the ACS MUST use 204) and a 204 with a body', function () {
    assert.match(readAnswer(res(200, ''), NS).violations.join(), /MUST use 204/);
    assert.match(readAnswer(res(204, 'x'), NS).violations.join(), /204 response with a body/);
  });

  it('reports an undecodable message and an ACS request without cwmp:ID or of the wrong direction', function () {
    assert.match(readAnswer(res(200, '<not-xml'), NS).violations.join(), /undecodable/);
    assert.match(checkAcsRequest({ header: {}, body: { method: 'Reboot', CommandKey: '' }, namespace: NS }).join(), /without a cwmp:ID/);
    const wrong = checkAcsRequest({ header: { ID: '1' }, body: { method: 'TransferCompleteResponse' }, namespace: NS });
    assert.match(wrong.join(), /not a request an ACS may send/);
  });
});
