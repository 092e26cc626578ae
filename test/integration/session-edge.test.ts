import { strict as assert } from 'node:assert';
import zlib from 'node:zlib';
import { encode } from '../../src/cwmp/soap/encode';
import { flushTouched } from '../../src/cwmp/session/sweeper';
import { deviceKeyOf } from '../../src/model/device-key';
import { inform, param, ScriptedCpe } from '../helpers/cpe';
import { startTestAcs, type TestAcs } from '../helpers/acs';

const keyOf = (serial: string): string => deviceKeyOf(inform(serial, []).DeviceId);
const NS = 'urn:dslforum-org:cwmp-1-2';
const informXml = (serial: string, events = ['2 PERIODIC'], extra = {}): string =>
  encode({ header: { ID: '1' }, body: inform(serial, events, extra), namespace: NS });

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('CWMP session: hostile input, bindings, concurrency, timeouts', function () {
  let t: TestAcs;
  before(async () => {
    t = await startTestAcs('session_edge', { sessionTimeoutMs: 1500, cwmpAddressFallback: true });
  });
  after(async () => t?.stop());

  async function completeSession(serial: string, events = ['2 PERIODIC']): Promise<void> {
    const cpe = new ScriptedCpe(t.cwmpUrl);
    await cpe.post(inform(serial, events));
    assert.equal((await cpe.post(null)).status, 204);
    cpe.close();
  }

  it('answers an unknown cwmp method with fault 8000, echoing cwmp:ID', async () => {
    const cpe = new ScriptedCpe(t.cwmpUrl);
    const xml = `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="${NS}"><soap:Header><cwmp:ID soap:mustUnderstand="1">x7</cwmp:ID></soap:Header><soap:Body><cwmp:Frobnicate/></soap:Body></soap:Envelope>`;
    const ex = await cpe.postRaw(xml);
    assert.equal(ex.status, 200);
    assert.equal(ex.envelope?.body.method, 'Fault');
    assert.equal((ex.envelope?.body as any).FaultCode, 8000);
    assert.equal(ex.envelope?.header.ID, 'x7');
    cpe.close();
  });

  it('answers an Inform with missing arguments with fault 8003', async () => {
    const cpe = new ScriptedCpe(t.cwmpUrl);
    const xml = `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="${NS}"><soap:Body><cwmp:Inform><MaxEnvelopes>1</MaxEnvelopes></cwmp:Inform></soap:Body></soap:Envelope>`;
    const ex = await cpe.postRaw(xml);
    assert.equal((ex.envelope?.body as any).FaultCode, 8003);
    cpe.close();
  });

  it('refuses bad XML with 400 and a one-line reason, and stored data stays as it was', async () => {
    await completeSession('SN-HOSTILE');
    const before = await t.acs.store.getDevice(keyOf('SN-HOSTILE'));
    const cpe = new ScriptedCpe(t.cwmpUrl);
    const truncated = informXml('SN-HOSTILE').slice(0, 300);
    const ex = await cpe.postRaw(truncated);
    assert.equal(ex.status, 400);
    assert.equal(ex.text.trim().split('\n').length, 1);
    const xxe = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>` + informXml('SN-HOSTILE').replace(/^<\?xml[^>]*>/, '');
    const ex2 = await cpe.postRaw(xxe);
    assert.equal(ex2.status, 400);
    assert.match(ex2.text, /DOCTYPE/);
    cpe.close();
    const after = await t.acs.store.getDevice(keyOf('SN-HOSTILE'));
    assert.equal(after?.lastInform, before?.lastInform);
    assert.deepEqual(after?.parameters, before?.parameters);
  });

  it('refuses a body over the limit with 413, also when it is a gzip bomb', async () => {
    const limit = t.config.cwmpMaxBodyBytes;
    const cpe = new ScriptedCpe(t.cwmpUrl, { keepAlive: false });
    const big = informXml('SN-BIG').replace('</cwmp:Inform>', `<X>${'a'.repeat(limit)}</X></cwmp:Inform>`);
    assert.equal((await cpe.postRaw(big)).status, 413);
    const bomb = zlib.gzipSync(Buffer.alloc(limit + 1024, 0x20));
    assert.ok(bomb.length < limit);
    assert.equal((await cpe.postRaw(bomb, { 'Content-Encoding': 'gzip' })).status, 413);
    cpe.close();
  });

  it('reads gzip and deflate bodies, chunked bodies, and ISO-8859-1 text', async () => {
    const cpe = new ScriptedCpe(t.cwmpUrl);
    const ex = await cpe.postRaw(zlib.gzipSync(Buffer.from(informXml('SN-GZIP'))), { 'Content-Encoding': 'gzip' });
    assert.equal(ex.envelope?.body.method, 'InformResponse');
    assert.equal((await cpe.postRaw('', { 'Transfer-Encoding': 'chunked' })).status, 204);
    cpe.close();
    const cpe2 = new ScriptedCpe(t.cwmpUrl);
    const latin = informXml('SN-LATIN1', ['2 PERIODIC']).replace('>1.0.0<', '>v1-\u00e9t\u00e9<');
    const ex2 = await cpe2.postRaw(Buffer.from(latin, 'latin1'), { 'Content-Type': 'text/xml; charset=ISO-8859-1' });
    assert.equal(ex2.envelope?.body.method, 'InformResponse');
    assert.equal((await cpe2.post(null)).status, 204);
    cpe2.close();
    const device = await t.acs.store.getDevice(keyOf('SN-LATIN1'));
    assert.equal(device?.softwareVersion, 'v1-\u00e9t\u00e9');
    const cpe3 = new ScriptedCpe(t.cwmpUrl);
    const ex3 = await cpe3.postRaw(zlib.deflateSync(Buffer.from(informXml('SN-DEFLATE'))), { 'Content-Encoding': 'deflate' });
    assert.equal(ex3.envelope?.body.method, 'InformResponse');
    assert.equal((await cpe3.post(null)).status, 204);
    cpe3.close();
  });

  it('keeps a session for a CPE that returns no cookie, by its connection', async () => {
    await t.acs.store.enqueueRequest(keyOf('SN-NOCOOKIE'), { method: 'GetParameterValues', ParameterNames: ['Device.DeviceInfo.UpTime'] });
    const cpe = new ScriptedCpe(t.cwmpUrl, { cookies: false });
    await cpe.post(inform('SN-NOCOOKIE', ['2 PERIODIC']));
    const ex = await cpe.post(null);
    assert.equal(ex.envelope?.body.method, 'GetParameterValues');
    const end = await cpe.reply(ex, { method: 'GetParameterValuesResponse', ParameterList: [param('Device.DeviceInfo.UpTime', '42', 'xsd:unsignedInt')] });
    assert.equal(end.status, 204);
    cpe.close();
    const params = await t.acs.store.getParameters(keyOf('SN-NOCOOKIE'), 'Device.DeviceInfo.UpTime');
    assert.equal(params[0]?.value, '42');
  });

  it('keeps a session for a CPE with neither cookie nor kept-alive connection, by its address', async () => {
    const cpe = new ScriptedCpe(t.cwmpUrl, { cookies: false, keepAlive: false });
    assert.equal((await cpe.post(inform('SN-NOKEEP', ['2 PERIODIC']))).status, 200);
    assert.equal((await cpe.post(null)).status, 204);
    cpe.close();
    assert.ok(await t.acs.store.getDevice(keyOf('SN-NOKEEP')));
  });

  it('refuses a second concurrent Inform from the same device with fault 8005', async () => {
    const a = new ScriptedCpe(t.cwmpUrl);
    await a.post(inform('SN-TWICE', ['2 PERIODIC']));
    const b = new ScriptedCpe(t.cwmpUrl);
    const ex = await b.post(inform('SN-TWICE', ['2 PERIODIC']));
    assert.equal(ex.envelope?.body.method, 'Fault');
    assert.equal((ex.envelope?.body as any).FaultCode, 8005);
    assert.match((ex.envelope?.body as any).FaultString, /another session/);
    assert.equal((await a.post(null)).status, 204, 'the first session carries on');
    a.close();
    b.close();
  });

  it('lets a CPE retrying after a dropped connection (RetryCount > 0) take over its stale session', async () => {
    const key = keyOf('SN-RETRY');
    await t.acs.store.enqueueRequest(key, { method: 'Reboot', CommandKey: 'r1' });
    const a = new ScriptedCpe(t.cwmpUrl);
    await a.post(inform('SN-RETRY', ['2 PERIODIC']));
    const sent = await a.post(null);
    assert.equal(sent.envelope?.body.method, 'Reboot');
    a.close(); // the connection drops before the CPE answers
    const b = new ScriptedCpe(t.cwmpUrl);
    const ex = await b.post(inform('SN-RETRY', ['2 PERIODIC'], { RetryCount: 1 }));
    assert.equal(ex.envelope?.body.method, 'InformResponse');
    const again = await b.post(null);
    assert.equal(again.envelope?.body.method, 'Reboot', 'the unanswered request is sent again');
    assert.equal((await b.reply(again, { method: 'RebootResponse' })).status, 204);
    b.close();
    const device = await t.acs.store.getDevice(key);
    assert.ok(device?.history.some((h) => h.kind === 'session-replaced'));
    assert.deepEqual(await t.acs.store.pendingRequests(key), []);
  });

  it('ends an idle session after the timeout, storing what it learnt and keeping the unanswered request', async () => {
    const key = keyOf('SN-IDLE');
    await t.acs.store.enqueueRequest(key, { method: 'GetParameterValues', ParameterNames: ['Device.DeviceInfo.'] });
    const cpe = new ScriptedCpe(t.cwmpUrl);
    await cpe.post(inform('SN-IDLE', ['1 BOOT']));
    const sent = await cpe.post(null);
    assert.equal(sent.envelope?.body.method, 'GetParameterValues');
    cpe.close();
    await sleep(t.config.sessionTimeoutMs + 1500);
    const device = await t.acs.store.getDevice(key);
    assert.ok(device, 'the Inform was committed by the timeout');
    assert.ok(device?.history.some((h) => h.kind === 'session-timeout'));
    assert.equal((await t.acs.store.pendingRequests(key)).length, 1);
    const late = new ScriptedCpe(t.cwmpUrl);
    const ex = await late.post(inform('SN-IDLE', ['2 PERIODIC']));
    assert.equal(ex.envelope?.body.method, 'InformResponse', 'the lock was released');
    late.close();
  });

  it('refuses non-Inform messages outside a session with 400', async () => {
    const cpe = new ScriptedCpe(t.cwmpUrl, { keepAlive: false, cookies: false });
    const ex = await cpe.postRaw(encode({ header: {}, body: { method: 'GetParameterValuesResponse', ParameterList: [] }, namespace: NS }), { Cookie: 'session=nope' });
    assert.equal(ex.status, 400);
    assert.match(ex.text, /starts with an Inform/);
    cpe.close();
  });

  it('answers in the CPE namespace and negotiates the version: UseCWMPVersion, or 8006', async () => {
    const cpe = new ScriptedCpe(t.cwmpUrl, { namespace: 'urn:dslforum-org:cwmp-1-4' });
    const ex = await cpe.post(inform('SN-V14', ['2 PERIODIC']), { SupportedCWMPVersions: '1.0,1.1,1.2,1.3,1.4' });
    assert.equal(ex.envelope?.namespace, 'urn:dslforum-org:cwmp-1-4');
    assert.equal(ex.envelope?.header.UseCWMPVersion, '1.4');
    assert.equal((await cpe.post(null)).status, 204);
    cpe.close();
    const old = new ScriptedCpe(t.cwmpUrl, { namespace: 'urn:dslforum-org:cwmp-1-0' });
    const ex2 = await old.post(inform('SN-V10', ['2 PERIODIC']));
    assert.equal(ex2.envelope?.namespace, 'urn:dslforum-org:cwmp-1-0');
    assert.equal(ex2.envelope?.header.UseCWMPVersion, undefined);
    assert.equal((await old.post(null)).status, 204);
    old.close();
    const future = new ScriptedCpe(t.cwmpUrl);
    const ex3 = await future.post(inform('SN-V2', ['2 PERIODIC']), { SupportedCWMPVersions: '2.0' });
    assert.equal((ex3.envelope?.body as any).FaultCode, 8006);
    future.close();
  });

  it('faults with 8003 when a CPE sends HoldRequests itself', async () => {
    const cpe = new ScriptedCpe(t.cwmpUrl);
    const ex = await cpe.post(inform('SN-HOLD', ['2 PERIODIC']), { HoldRequests: true });
    assert.equal((ex.envelope?.body as any).FaultCode, 8003);
    cpe.close();
  });

  it('clears the cached data model on 0 BOOTSTRAP', async () => {
    const key = keyOf('SN-BOOTSTRAP');
    await t.acs.store.enqueueRequest(key, { method: 'GetParameterValues', ParameterNames: ['Device.X.'] });
    const cpe = new ScriptedCpe(t.cwmpUrl);
    await cpe.post(inform('SN-BOOTSTRAP', ['1 BOOT']));
    const ex = await cpe.post(null);
    await cpe.reply(ex, { method: 'GetParameterValuesResponse', ParameterList: [param('Device.X.Old', 'v')] });
    cpe.close();
    assert.equal((await t.acs.store.getParameters(key, 'Device.X.')).length > 0, true);
    await completeSession('SN-BOOTSTRAP', ['0 BOOTSTRAP']);
    assert.deepEqual(await t.acs.store.getParameters(key, 'Device.X.'), []);
    assert.equal((await t.acs.store.getParameters(key, 'Device.DeviceInfo.SoftwareVersion')).length, 1);
  });

  it('stores a quiet periodic session as a batched last_inform touch, and commits one that changed something', async () => {
    const key = keyOf('SN-QUIET');
    await completeSession('SN-QUIET', ['1 BOOT']);
    await completeSession('SN-QUIET', ['2 PERIODIC']); // the first periodic commits: its hash was not known yet
    const before = await t.acs.store.getDevice(key);
    await sleep(20);
    await completeSession('SN-QUIET', ['2 PERIODIC']);
    const deps = t.acs.deps;
    assert.ok(deps);
    await flushTouched(deps);
    const after = await t.acs.store.getDevice(key);
    assert.ok((after?.lastInform ?? 0) > (before?.lastInform ?? 0), 'last_inform moved forward');
    assert.equal(after?.history.length, before?.history.length, 'a routine inform adds no history entry');
    const cpe = new ScriptedCpe(t.cwmpUrl);
    const changed = inform('SN-QUIET', ['2 PERIODIC']);
    changed.ParameterList[0] = param('Device.DeviceInfo.SoftwareVersion', '2.0.0');
    await cpe.post(changed);
    assert.equal((await cpe.post(null)).status, 204);
    cpe.close();
    assert.equal((await t.acs.store.getDevice(key))?.softwareVersion, '2.0.0', 'a changed Inform is committed at once');
  });

  it('sends a request queued after a quiet session in the next periodic session', async () => {
    const key = keyOf('SN-QUIET2');
    await completeSession('SN-QUIET2', ['1 BOOT']);
    await completeSession('SN-QUIET2', ['2 PERIODIC']);
    await t.acs.store.enqueueRequest(key, { method: 'Reboot', CommandKey: 'later' });
    const cpe = new ScriptedCpe(t.cwmpUrl);
    await cpe.post(inform('SN-QUIET2', ['2 PERIODIC']));
    const ex = await cpe.post(null);
    assert.deepEqual(ex.envelope?.body, { method: 'Reboot', CommandKey: 'later' });
    assert.equal((await cpe.reply(ex, { method: 'RebootResponse' })).status, 204);
    cpe.close();
    assert.deepEqual(await t.acs.store.pendingRequests(key), []);
  });

  it('rejects other HTTP methods with 405', async () => {
    const res = await fetch(t.cwmpUrl);
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'POST');
  });
});

describe('CWMP session across two front ends', function () {
  let a: TestAcs;
  let b: TestAcs;
  before(async () => {
    a = await startTestAcs('two_fronts');
    b = await startTestAcs('two_fronts_b', { databaseUrl: a.config.databaseUrl, redisPrefix: a.config.redisPrefix });
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
  });

  it('continues a session on another process: state lives in Redis, not in memory', async () => {
    const key = keyOf('SN-TWOFRONT');
    await a.acs.store.enqueueRequest(key, { method: 'GetParameterValues', ParameterNames: ['Device.DeviceInfo.UpTime'] });
    const onA = new ScriptedCpe(a.cwmpUrl);
    await onA.post(inform('SN-TWOFRONT', ['2 PERIODIC']));
    const cookie = (onA as any).cookie as string;
    const onB = new ScriptedCpe(b.cwmpUrl);
    (onB as any).cookie = cookie;
    const ex = await onB.post(null);
    assert.equal(ex.envelope?.body.method, 'GetParameterValues');
    const onA2 = new ScriptedCpe(a.cwmpUrl);
    (onA2 as any).cookie = cookie;
    const end = await onA2.reply(ex, { method: 'GetParameterValuesResponse', ParameterList: [param('Device.DeviceInfo.UpTime', '7', 'xsd:unsignedInt')] });
    assert.equal(end.status, 204);
    [onA, onB, onA2].forEach((c) => c.close());
    const up = await b.acs.store.getParameters(key, 'Device.DeviceInfo.UpTime');
    assert.equal(up[0]?.value, '7');
  });
});

describe('CWMP session with HoldRequests (CWMP_HOLD_REQUESTS=true)', function () {
  let t: TestAcs;
  before(async () => {
    t = await startTestAcs('hold_requests', { cwmpHoldRequests: true });
  });
  after(async () => t?.stop());

  it('does not hand a session to another client from the same address (no address fallback by default)', async () => {
    await t.acs.store.enqueueRequest(keyOf('SN-VICTIM'), { method: 'GetRPCMethods' });
    const victim = new ScriptedCpe(t.cwmpUrl);
    await victim.post(inform('SN-VICTIM', ['2 PERIODIC']));
    const other = new ScriptedCpe(t.cwmpUrl, { cookies: false, keepAlive: false });
    const ex = await other.post(null);
    assert.equal(ex.status, 400, 'an empty POST with no cookie on a new connection belongs to no session');
    assert.equal(ex.headers['set-cookie'], undefined);
    const mine = await victim.post(null);
    assert.equal(mine.envelope?.body.method, 'GetRPCMethods', 'the request is still there for its device');
    await victim.reply(mine, { method: 'GetRPCMethodsResponse', MethodList: [] });
    victim.close();
    other.close();
  });

  it('sends HoldRequests=true with its requests and refuses a CPE request while it holds, with 8003', async () => {
    await t.acs.store.enqueueRequest(keyOf('SN-HELD'), { method: 'GetRPCMethods' });
    const cpe = new ScriptedCpe(t.cwmpUrl);
    await cpe.post(inform('SN-HELD', ['2 PERIODIC']));
    const ex = await cpe.post(null);
    assert.equal(ex.envelope?.body.method, 'GetRPCMethods');
    assert.equal(ex.envelope?.header.HoldRequests, true);
    const fault = { FaultCode: 0, FaultString: '' };
    const tc = await cpe.post({ method: 'TransferComplete', CommandKey: 'k', FaultStruct: fault, StartTime: '2026-11-25T12:00:00Z', CompleteTime: '2026-11-25T12:00:01Z' });
    assert.equal((tc.envelope?.body as { FaultCode?: number }).FaultCode, 8003);
    const end = await cpe.reply(ex, { method: 'GetRPCMethodsResponse', MethodList: ['GetRPCMethods'] });
    assert.equal(end.status, 204);
    cpe.close();
  });
});
