/**
 * Issue 12 §2: the per-device SOAP trace switch over HTTP. PUT turns it on
 * for a time, the device's sessions are kept (both directions, times,
 * session ids), GET downloads them, DELETE turns it off; other devices are
 * not traced; tokens are checked as on every route.
 */
import { strict as assert } from 'node:assert';
import path from 'node:path';
import { deviceKeyOf } from '../../src/model/device-key';
import { Fleet } from '../../src/sim/fleet';
import { loadModel } from '../../src/sim/load-model';
import type { TracedMessage } from '../../src/trace/store';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { newToken, withToken } from '../helpers/api-token';
import { sleep } from '../helpers/wait';

const MODEL = path.resolve(__dirname, '../../../shared/samples/device-models/device-00259E-EG8145V5-48575443A94196A5-2023-03-28T154335106Z.csv');
/** Longer than the front ends' re-read of the switch (trace/switch.ts, 1 s). */
const SWITCH_SEEN_MS = 1_300;

interface TraceDoc { device: string; until: string | null; messages: TracedMessage[] }

describe('trace: PUT/GET/DELETE /devices/:id/trace', function () {
  this.timeout(60_000);
  let t: TestAcs;
  let fleet: Fleet;
  let traced: string;
  let other: string;
  let read: string;
  const url = (id: string): string => `/devices/${encodeURIComponent(id)}/trace`;

  before(async () => {
    t = await startTestAcs('metrics_trace', { traceMaxMessages: 12 });
    read = await newToken(t.acs.store, 'read');
    fleet = await Fleet.create({ acsUrl: t.cwmpUrl, model: loadModel(MODEL), devices: 2, serialBase: 'TRC-', report: () => undefined });
    [traced, other] = fleet.devices.map((d) => deviceKeyOf(d.deviceId()));
  });
  after(async () => {
    await fleet?.close();
    await t?.stop();
  });

  async function download(id: string): Promise<TraceDoc> {
    const r = await fetch(`${t.nbiUrl}${url(id)}`, withToken(read));
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-disposition') ?? '', /attachment/);
    return (await r.json()) as TraceDoc;
  }

  it('refuses to switch without a token (401), with a read token (403), or with a bad duration (400 naming it)', async () => {
    const put = (init: RequestInit) => fetch(`${t.nbiUrl}${url(traced)}`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ durationS: 60 }), ...init });
    assert.equal((await put({})).status, 401);
    assert.equal((await fetch(`${t.nbiUrl}${url(traced)}`)).status, 401, 'the download needs a token too');
    assert.equal((await put(withToken(read, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ durationS: 60 }) }))).status, 403);
    for (const durationS of [0, 86_401, 1.5, '60']) {
      const r = await t.nbi(url(traced), { method: 'PUT', body: JSON.stringify({ durationS }) });
      assert.equal(r.status, 400, String(durationS));
      assert.equal(((await r.json()) as { field: string }).field, 'body.durationS');
    }
  });

  it('keeps the traced device\'s exchanged XML, both directions, with times and session ids; not the other device\'s', async () => {
    const on = await t.nbi(url(traced), { method: 'PUT', body: JSON.stringify({ durationS: 600 }) });
    assert.equal(on.status, 200);
    const { until } = (await on.json()) as TraceDoc;
    assert.ok(Date.parse(until as string) > Date.now() + 590_000);
    await sleep(SWITCH_SEEN_MS);
    await fleet.connectAll();
    const doc = await download(traced);
    assert.equal(doc.until, until);
    const [inform, informResponse, empty, end] = doc.messages;
    assert.equal(doc.messages.length, 4, JSON.stringify(doc.messages.map((m) => [m.from, m.status])));
    assert.deepEqual(doc.messages.map((m) => m.from), ['cpe', 'acs', 'cpe', 'acs']);
    assert.match(inform.body, /<cwmp:Inform>/);
    assert.match(inform.body, /0 BOOTSTRAP/);
    assert.match(informResponse.body, /InformResponse/);
    assert.equal(informResponse.status, 200);
    assert.equal(empty.body, '');
    assert.equal(end.status, 204);
    const sid = informResponse.sessionId;
    assert.ok(sid);
    assert.ok(doc.messages.every((m) => m.sessionId === sid), 'one session');
    assert.ok(doc.messages.every((m) => Date.parse(m.time) > Date.now() - 60_000));
    assert.deepEqual((await download(other)).messages, [], 'only the device switched on');
  });

  it('keeps at most TRACE_MAX_MESSAGES, the latest', async () => {
    for (let i = 0; i < 3; i++) await fleet.connectAll('2 PERIODIC');
    const { messages } = await download(traced);
    assert.equal(messages.length, 12);
    assert.match(messages[messages.length - 3].body, /InformResponse/, 'the last session\'s answer to its Inform');
    assert.ok(!messages.some((m) => /0 BOOTSTRAP/.test(m.body)), 'the oldest went first');
  });

  it('stops tracing on DELETE; what was kept stays downloadable', async () => {
    const off = await t.nbi(url(traced), { method: 'DELETE' });
    assert.equal(off.status, 204);
    await sleep(SWITCH_SEEN_MS);
    const before = await download(traced);
    assert.equal(before.until, null);
    await fleet.connectAll('2 PERIODIC');
    assert.deepEqual((await download(traced)).messages, before.messages);
  });
});
