/**
 * A listing whose instances the next step would read, each the same way,
 * carries that read (`then`, planner/reads.ts followUpOf); the front end
 * (cwmp/session/provisioning.ts engineAnswer) sends it right after the
 * listing's answer, without an engine step between. The device must be sent
 * the RPCs of an engine that plans the read in the next step (GenieACS
 * semantics): the same names, the same faults and what follows them; only the
 * round they go in changes.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CpeRequest } from '../../src/cwmp/soap/types';
import { engineAnswer } from '../../src/cwmp/session/provisioning';
import type { InFlightRequest, QueuedRequest, SessionState } from '../../src/cwmp/session/state';
import { dryRun, type DryRunResult } from '../../src/engine/dry-run';
import { MemoryTable } from '../../src/engine/memory-table';
import { plan, type PlanOptions } from '../../src/engine/planner/plan';
import type { ChannelDeclaration, PlannedRequest } from '../../src/engine/planner/types';
import { newProvisionState } from '../../src/engine/types';
import { MemoryDeviceView } from '../../src/sandbox/device-view';
import type { Declaration } from '../../src/sandbox/types';
import { sampleRows, T0 } from '../unit/sandbox/helpers';

const NOW = T0 + 3_600_000;
const ctx = (extra: Partial<PlanOptions> = {}): PlanOptions => ({ now: NOW, parameterKey: 'pk', events: ['0 BOOTSTRAP'], informTime: NOW, touched: [], ...extra });
const cd = (p: string, timestamps: Declaration['timestamps'] = {}, values: Declaration['values'] = {}): ChannelDeclaration => ({ channel: 'c', declaration: { path: p, timestamps, values } });
/** The sample device with nothing cached under Device.WiFi (never listed: a new device's cache). */
const bare = () => MemoryDeviceView.from(new MemoryTable(sampleRows().filter((r) => !r.path.startsWith('Device.WiFi.SSID.')).map((r) => (r.path === 'Device.WiFi.' ? { ...r, valueTime: null } : r))).all());
const listings = (requests: PlannedRequest[]) => requests.filter((r) => r.request.method === 'GetParameterNames').map((r) => [(r.request as { ParameterPath: string }).ParameterPath, r.then]);

describe('listing follow-ups: a listing\'s instances read right after it, in its round', function () {
  describe('the planner says which listing is read on (then)', function () {
    it('a * followed by names: those names under each instance', () => {
      const p = plan(bare(), [cd('Device.WiFi.SSID.*.SSID', { value: NOW }), cd('Device.WiFi.SSID.*.Enable', { value: 1 })], ctx());
      assert.deepEqual(listings(p.requests), [['Device.WiFi.SSID.', { names: ['SSID', 'Enable'], leaves: false }]]);
    });

    it('an alias filter: its keys, under every child the listing returns', () => {
      const p = plan(bare(), [cd('Device.WiFi.SSID.[SSID:home].Enable', { value: 1 })], ctx());
      assert.deepEqual(listings(p.requests), [['Device.WiFi.SSID.', { names: ['SSID'], leaves: true }]]);
    });

    it('not when the cache knows instances (some may need no read)', () => {
      const p = plan(MemoryDeviceView.from(sampleRows()), [cd('Device.WiFi.SSID.*.SSID', { path: NOW })], ctx());
      assert.deepEqual(listings(p.requests), [['Device.WiFi.SSID.', undefined]]);
    });

    it('not when another listing of the round is not read on (its reads would have gone with these in one RPC)', () => {
      const p = plan(bare(), [cd('Device.WiFi.SSID.*.SSID', { value: NOW }), cd('Device.IP.Interface.*', { path: NOW })], ctx());
      assert.deepEqual(listings(p.requests).map((x) => x[1]), [undefined, undefined]);
    });

    it('not for objects declared, nor where more wildcards follow, nor under a path the device refused', () => {
      assert.equal(plan(bare(), [cd('Device.WiFi.SSID.*', { path: NOW })], ctx()).requests[0].then, undefined);
      assert.equal(plan(bare(), [cd('Device.WiFi.SSID.*.X.*.Y', { value: 1 })], ctx()).requests[0].then, undefined);
      assert.equal(plan(bare(), [cd('Device.WiFi.SSID.*.SSID', { value: 1 })], ctx({ refused: ['Device.WiFi.SSID.3.SSID'] })).requests[0].then, undefined);
    });

    it('not when a stopped run waits on no listing of the round (it goes on after the round; its next reads would have joined these)', () => {
      const decls = [cd('Device.WiFi.SSID.*.SSID', { value: NOW }), cd('Device.DeviceInfo.SoftwareVersion', { value: NOW })];
      const waits = (batches: string[][]) => plan(bare(), decls, ctx({ waits: batches })).requests[0].then;
      assert.deepEqual(waits([['Device.WiFi.SSID.*.SSID', 'Device.DeviceInfo.SoftwareVersion']]), { names: ['SSID'], leaves: false }, 'one run waits on both');
      assert.equal(waits([['Device.WiFi.SSID.*.SSID'], ['Device.DeviceInfo.SoftwareVersion']]), undefined, 'a second run waits on the value read alone');
    });

    it('a round of listings read on carries the writes their reads cannot change (readyWrites), not the writes under them', () => {
      const pii = cd('Device.ManagementServer.PeriodicInformInterval', {}, { value: [600] });
      const methods = (decls: ChannelDeclaration[]) => plan(bare(), decls, ctx()).requests.map((r) => r.request.method);
      assert.deepEqual(methods([pii, cd('Device.WiFi.SSID.*.SSID', { path: NOW })]), ['GetParameterNames', 'SetParameterValues']);
      assert.deepEqual(methods([cd('Device.WiFi.SSID.1.Enable', {}, { value: [true] }), cd('Device.WiFi.SSID.*.SSID', { path: NOW })]), ['GetParameterNames', 'GetParameterValues'], 'under the listed object: waits (the concrete read keeps the listing from being read on, too)');
    });
  });

  describe('the front end sends the read after the round\'s last listing', function () {
    const gpn = (object: string, names: string[], leaves = false): QueuedRequest => ({
      id: null, request: { method: 'GetParameterNames', ParameterPath: object, NextLevel: true }, engine: { channels: ['c'], then: { names, leaves } },
    });
    // engineAnswer reads and changes only the queue and the provisioning state.
    const stateOf = (queue: QueuedRequest[]) => ({ queue, provision: newProvisionState() }) as unknown as SessionState;
    const sent = (q: QueuedRequest): InFlightRequest => ({ ...q, cwmpId: 'x', sentAt: T0 });
    const listed = (...names: string[]) => ({ method: 'GetParameterNamesResponse' as const, ParameterList: names.map((Name) => ({ Name, Writable: false })) });
    const requests = (s: SessionState): CpeRequest[] => s.queue.map((q) => q.request);

    it('one GetParameterValues for every listing of the round, after the last, before the round\'s other reads; counted once', () => {
      const a = gpn('Device.WiFi.SSID.', ['SSID']);
      const b = gpn('Device.WiFi.AccessPoint.', ['Security.KeyPassphrase', 'Enable']);
      const other: QueuedRequest = { id: null, request: { method: 'GetParameterValues', ParameterNames: ['Device.Time.NTPServer1'] }, engine: { channels: ['d'] } };
      const state = stateOf([b, other]);
      engineAnswer(state, sent(a), listed('Device.WiFi.SSID.10.', 'Device.WiFi.SSID.2.', 'Device.WiFi.SSID.2.Stats.', 'Device.WiFi.SSID.Count'), T0);
      state.queue.shift();
      engineAnswer(state, sent(b), listed('Device.WiFi.AccessPoint.1.'), T0);
      assert.deepEqual(requests(state), [
        { method: 'GetParameterValues', ParameterNames: ['Device.WiFi.SSID.2.SSID', 'Device.WiFi.SSID.10.SSID', 'Device.WiFi.AccessPoint.1.Security.KeyPassphrase', 'Device.WiFi.AccessPoint.1.Enable'] },
        other.request,
      ]);
      assert.deepEqual(state.queue[0].engine, { channels: ['c'], followUp: true });
      assert.equal(state.provision?.rpcs, 1);
    });

    it('an alias filter\'s keys are asked under parameters listed too (as the planner asks them); no instance, no read', () => {
      const state = stateOf([]);
      engineAnswer(state, sent(gpn('Device.X.', ['Key'], true)), listed('Device.X.1.', 'Device.X.Y'), T0);
      assert.deepEqual(requests(state), [{ method: 'GetParameterValues', ParameterNames: ['Device.X.1.Key', 'Device.X.Y.Key'] }]);
      const empty = stateOf([]);
      engineAnswer(empty, sent(gpn('Device.X.', ['Key'])), listed(), T0);
      assert.deepEqual(empty.queue, []);
      assert.equal(empty.provision?.rpcs, 0);
    });

    it('a fault of the read is the engine\'s outcome, as a planned read\'s (9005: its names, for recovery)', () => {
      const state = stateOf([]);
      engineAnswer(state, sent(gpn('Device.WiFi.SSID.', ['X'])), listed('Device.WiFi.SSID.1.'), T0);
      const follow = state.queue.shift() as QueuedRequest;
      engineAnswer(state, sent(follow), { method: 'Fault', faultcode: 'Client', FaultCode: 9005, FaultString: 'Invalid parameter name' }, T0);
      assert.deepEqual(state.provision?.outcomes, [{ method: 'GetParameterValues', channels: ['c'], paths: ['Device.WiFi.SSID.1.X'], fault: { code: 9005, message: 'Invalid parameter name' } }]);
    });
  });

  describe('dry runs: the RPCs of the engine that plans the read in the next step, in fewer rounds', function () {
    let root: string;
    before(() => {
      root = mkdtempSync(path.join(tmpdir(), 'acs-follow-ups-'));
    });
    after(() => rmSync(root, { recursive: true, force: true }));
    const run = (name: string, script: string): Promise<DryRunResult> => {
      const dir = path.join(root, name);
      mkdirSync(path.join(dir, 'p'), { recursive: true });
      mkdirSync(path.join(dir, 'v'), { recursive: true });
      writeFileSync(path.join(dir, 'p', 'c.yaml'), 'events: ["0 BOOTSTRAP"]\nchannel: c\nprovisions:\n  - [c]\n');
      writeFileSync(path.join(dir, 'v', 'c.js'), script);
      return dryRun({ device: 'tr181', preset: 'c', events: ['0 BOOTSTRAP'], presetsDir: path.join(dir, 'p'), provisionsDir: path.join(dir, 'v'), extDir: path.join(dir, 'none') });
    };
    const rounds = (r: DryRunResult) => r.rounds.map((round) => round.rpcs.map((x) => {
      const q = x.request as { method: string; ParameterPath?: string; ObjectName?: string; ParameterNames?: string[]; ParameterList?: { Name: string; Value: unknown }[] };
      const what = q.ParameterPath ?? q.ObjectName ?? (q.ParameterNames ?? q.ParameterList?.map((p) => `${p.Name}=${String(p.Value)}`))?.join(',');
      return `${q.method} ${what}${x.response.method === 'Fault' ? ` → ${x.response.FaultCode}` : ''}`;
    }));

    // Both pinned against the engine before the follow-ups (1f4470c~1): the same RPCs in the same order; 5 → 4 and 3 → 2 rounds.
    it('the read refused (9005): each instance listed next, as after a planned read, and the provision goes on', async () => {
      const r = await run('missing', `for (const s of declare('Device.WiFi.SSID.*.X_Missing', {path: Date.now()})) declare(s.path, null, {value: 'y'});\ndeclare('Device.ManagementServer.PeriodicInformInterval', null, {value: 999});\n`);
      assert.equal(r.completed, true);
      assert.deepEqual(r.faults, []);
      assert.deepEqual(rounds(r), [
        ['GetParameterNames Device.WiFi.SSID.', 'GetParameterValues Device.WiFi.SSID.1.X_Missing,Device.WiFi.SSID.2.X_Missing → 9005'],
        ['GetParameterNames Device.WiFi.SSID.1.', 'GetParameterNames Device.WiFi.SSID.2.'],
        ['GetParameterValues Device.ManagementServer.PeriodicInformInterval'],
        ['SetParameterValues Device.ManagementServer.PeriodicInformInterval=999'],
      ]);
    });

    it('two tables through alias filters: their keys in one read, then the instance added and keyed', async () => {
      const r = await run('alias', `declare('Device.WiFi.SSID.[SSID:nope].Enable', {value: 1}, {value: false});\ndeclare('Device.DNS.Relay.Forwarding.[DNSServer:8.8.8.8]', {path: 1}, {instances: 1});\n`);
      assert.equal(r.completed, true);
      assert.deepEqual(rounds(r), [
        ['GetParameterNames Device.WiFi.SSID.', 'GetParameterNames Device.DNS.Relay.Forwarding.', 'GetParameterValues Device.WiFi.SSID.1.SSID,Device.WiFi.SSID.2.SSID,Device.DNS.Relay.Forwarding.1.DNSServer'],
        ['AddObject Device.DNS.Relay.Forwarding.', 'SetParameterValues Device.DNS.Relay.Forwarding.2.DNSServer=8.8.8.8'],
      ]);
    });
  });
});
