/**
 * Issue 15, target (c): engine rounds per device. Each round is a worker step
 * (hand-off, script runs, planning) on top of its RPCs, so a read round
 * carries the writes its reads cannot change (planner/plan.ts readyWrites):
 * the writes go one round earlier, with the same RPCs and no run of the
 * scripts seeing anything else. These pin the counts, on the benchmark's own
 * provision and on small cases, so that they cannot grow back unnoticed.
 */
import { strict as assert } from 'node:assert';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { zeroTouchDirs } from '../../src/bench/zero-touch';
import { dryRun, type DryRunResult } from '../../src/engine/dry-run';
import { MemoryTable } from '../../src/engine/memory-table';
import { overlaps, plan, type PlanOptions } from '../../src/engine/planner/plan';
import type { ChannelDeclaration } from '../../src/engine/planner/types';
import { MemoryDeviceView } from '../../src/sandbox/device-view';
import type { Declaration } from '../../src/sandbox/types';
import { sampleRows, T0 } from '../unit/sandbox/helpers';
import { VendorAdapter } from '../../src/vendor/adapter';

const XX230V = path.resolve(__dirname, '../../../shared/samples/device-models/device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv');

const methods = (r: DryRunResult): string[][] => r.rounds.map((round) => round.rpcs.map((x) => x.request.method));

describe('engine rounds (issue 15): a read round carries the writes its reads cannot change', function () {
  this.timeout(120_000);

  describe('the benchmark\'s zero-touch provision, on a new device (0 BOOTSTRAP)', function () {
    let dirs: { presets: string; provisions: string };
    before(() => {
      dirs = zeroTouchDirs();
    });
    after(() => {
      rmSync(path.dirname(dirs.presets), { recursive: true, force: true });
    });
    const run = (device: string) => dryRun({ device, preset: 'zero-touch', events: ['0 BOOTSTRAP'], presetsDir: dirs.presets, provisionsDir: dirs.provisions, extDir: path.join(dirs.presets, 'no-ext') });

    // 5 rounds (7 before the listings' follow-up reads, 9 before readyWrites): each listing's instances are read
    // right after its answer by the front end (the read the next step would have planned), and the access points'
    // listing, read on that way, carries the SSIDs' writes as a plain read round does.
    it('XX230v (the bench\'s model): 5 rounds, 14 RPCs (7 before, 9 before that), each listing\'s instances read in its round', async () => {
      const r = await run(XX230V);
      assert.equal(r.completed, true);
      assert.deepEqual(r.faults, []);
      assert.deepEqual(methods(r), [
        ['GetParameterNames', 'GetParameterValues', 'GetParameterValues'], // SSIDs listed, each SSID's SSID, ManagementServer read
        ['SetParameterValues'], // the ManagementServer values the SSID loop's read committed
        ['GetParameterNames', 'GetParameterValues', 'SetParameterValues'], // access points listed, each passphrase, with the SSIDs the access point loop's read committed
        ['GetParameterNames', 'GetParameterValues', 'GetParameterValues'], // DNS forwarders listed, their alias keys, NTP servers read
        ['AddObject', 'AddObject', 'SetParameterValues', 'SetParameterValues'], // two forwarders, their keys, passphrases and NTP
      ]);
      assert.deepEqual(r.rounds.flatMap((round) => round.rpcs.map((x) => x.followUp === true)).map((f, i) => (f ? i : -1)).filter((i) => i >= 0), [1, 5, 8], 'the front end\'s follow-up reads');
      const ssids = r.rounds[0].rpcs[1].request;
      assert.equal(ssids.method === 'GetParameterValues' && ssids.ParameterNames.length === 14 && ssids.ParameterNames.every((n, i) => n === `Device.WiFi.SSID.${i + 1}.SSID`), true);
      const second = r.rounds[1].rpcs[0].request;
      assert.equal(second.method, 'SetParameterValues');
      if (second.method === 'SetParameterValues') {
        assert.deepEqual(second.ParameterList.map((p) => p.Name), ['ConnectionRequestPassword', 'ConnectionRequestUsername', 'PeriodicInformInterval'].map((n) => `Device.ManagementServer.${n}`));
      }
      const third = r.rounds[2].rpcs[2].request;
      assert.equal(third.method === 'SetParameterValues' && third.ParameterList.length === 14 && third.ParameterList.every((p) => /^Device\.WiFi\.SSID\.\d+\.SSID$/.test(p.Name)), true);
      const keys = r.rounds[3].rpcs[1].request;
      assert.equal(keys.method === 'GetParameterValues' && keys.ParameterNames.every((n) => /^Device\.DNS\.Relay\.Forwarding\.\d+\.DNSServer$/.test(n)), true);
      for (const round of r.rounds) for (const x of round.rpcs) assert.notEqual(x.response.method, 'Fault');
      const last = r.rounds[4].rpcs[3].request;
      assert.equal(last.method === 'SetParameterValues' && last.ParameterList.some((p) => p.Name === 'Device.Time.NTPServer1'), true);
    });

    it('TR-181 from the data model: 7 rounds, 16 RPCs (8 before, 10 before that)', async () => {
      const r = await run('tr181');
      assert.equal(r.completed, true);
      assert.equal(r.rounds.length, 7, JSON.stringify(methods(r)));
      assert.equal(r.rounds.flatMap((x) => x.rpcs).length, 16);
    });
  });

  describe('the planner', function () {
    const NOW = T0 + 3_600_000;
    const ctx = (touched?: string[]): PlanOptions => ({ now: NOW, parameterKey: 'pk', events: ['2 PERIODIC'], informTime: NOW, ...(touched ? { touched } : {}) });
    const cd = (path: string, timestamps: Declaration['timestamps'] = {}, values: Declaration['values'] = {}): ChannelDeclaration => ({ channel: 'c', declaration: { path, timestamps, values } });
    const PII = 'Device.ManagementServer.PeriodicInformInterval';
    const view = () => MemoryDeviceView.from(new MemoryTable(sampleRows()).all());
    const shape = (decls: ChannelDeclaration[], touched?: string[]) => plan(view(), decls, ctx(touched)).requests.map((r) => r.request.method);

    it('a value read for a path, and a write elsewhere: one round, reads first', () => {
      const decls = [cd(PII, {}, { value: [600] }), cd('Device.WiFi.SSID.*.SSID', { value: NOW })];
      assert.deepEqual(shape(decls, []), ['GetParameterValues', 'SetParameterValues']);
      assert.deepEqual(shape(decls), ['GetParameterValues'], 'without what the runs touched (commit() checks, tests): writes wait');
    });

    it('the same through a vendor profile (the bench\'s devices match tp-link-device2: it skips the root listing)', () => {
      const vendor = new VendorAdapter({ name: 'v', settings: { skipRootListing: true, booleanLiteral: '1/0' } });
      const decls = [cd('Device.ManagementServer.PeriodicInformEnable', {}, { value: [false] }), cd('Device.WiFi.SSID.*.SSID', { value: NOW })];
      const p = plan(view(), decls, { ...ctx([]), vendor });
      assert.deepEqual(p.requests.map((r) => r.request), [
        { method: 'GetParameterValues', ParameterNames: ['Device.WiFi.SSID.1.SSID', 'Device.WiFi.SSID.2.SSID'] },
        { method: 'SetParameterValues', ParameterKey: 'pk', ParameterList: [{ Name: 'Device.ManagementServer.PeriodicInformEnable', Value: '0', type: 'xsd:boolean' }] },
      ]);
    });

    it('no write joins a round that lists (what it finds is looked into next)', () => {
      assert.deepEqual(shape([cd(PII, {}, { value: [600] }), cd('Device.IP.Interface.*', { path: NOW })], []), ['GetParameterNames']);
    });

    it('no write joins reads of a path the runs looked at', () => {
      assert.deepEqual(shape([cd(PII, {}, { value: [600] }), cd('Device.WiFi.SSID.*.SSID', { value: NOW })], ['Device.WiFi.SSID.1.SSID']), ['GetParameterValues']);
    });

    it('no write joins reads for a declaration that writes too (both writes go in one SetParameterValues next)', () => {
      assert.deepEqual(shape([cd(PII, {}, { value: [600] }), cd('Device.WiFi.SSID.1.SSID', { value: NOW }, { value: ['x'] })], []), ['GetParameterValues']);
    });

    it('no write joins the reads of alias keys (the match reads on)', () => {
      const rows = sampleRows().map((r) => (r.path.endsWith('.Name') ? { ...r, value: null, valueTime: null } : r));
      const p = plan(MemoryDeviceView.from(rows), [cd(PII, {}, { value: [600] }), cd('Device.IP.Interface.[Name:lan]', { path: 1 })], ctx([]));
      assert.deepEqual(p.requests.map((r) => r.request.method), ['GetParameterValues']);
    });

    it('a stopped run whose wait no write of the round keeps up goes on after the reads: nothing joins them', () => {
      const decls = [cd(PII, {}, { value: [600] }), cd('Device.WiFi.SSID.*.SSID', { value: NOW })];
      assert.deepEqual(plan(view(), decls, { ...ctx([]), stopped: [[]] }).requests.map((r) => r.request.method), ['GetParameterValues'], 'it waited on a read only');
      assert.deepEqual(plan(view(), decls, { ...ctx([]), stopped: [[PII]] }).requests.map((r) => r.request.method), ['GetParameterValues', 'SetParameterValues'], 'it waits on the write');
    });

    it('a read may find its instance gone (9005): writes under that instance wait', () => {
      assert.deepEqual(shape([cd('Device.WiFi.SSID.2.Enable', {}, { value: [true] }), cd('Device.WiFi.SSID.2.SSID', { value: NOW })], []), ['GetParameterValues']);
    });

    it('a write through an alias filter waits for reads anywhere in its table (the keys choose the instance)', () => {
      assert.deepEqual(shape([cd('Device.WiFi.SSID.[SSID:home].Enable', {}, { value: [false] }), cd('Device.WiFi.SSID.*.SSID', { value: NOW })], []), ['GetParameterValues']);
    });

    it('a write the reads hold (same path or below a read) waits', () => {
      assert.deepEqual(shape([cd('Device.WiFi.SSID.1.SSID', {}, { value: ['x'] }), cd('Device.WiFi.SSID.*.SSID', { value: NOW })], []), ['GetParameterValues']);
    });

    it('overlaps: one path under the other, through * and alias filters', () => {
      assert.equal(overlaps('Device.WiFi.', 'Device.WiFi.SSID.1.SSID'), true);
      assert.equal(overlaps('Device.WiFi.SSID.*.SSID', 'Device.WiFi.SSID.3.SSID'), true);
      assert.equal(overlaps('Device.WiFi.SSID.[SSID:x].Enable', 'Device.WiFi.SSID.2'), true);
      assert.equal(overlaps('', 'Device.X'), true, 'the root holds everything');
      assert.equal(overlaps('Device.DNS.Relay.Forwarding.[DNSServer:9.9.9.9]', 'Device.DNS.Relay.Forwarding.3.DNSServer'), true, 'a filter\'s dots are not segments');
      assert.equal(overlaps('Device.DNS.Relay.Forwarding.[DNSServer:9.9.9.9].Enable', 'Device.DNS.Relay.Forwarding.3.Interface'), false);
      assert.equal(overlaps('Device.WiFi.SSID.*.SSID', 'Device.WiFi.SSID.3.Enable'), false);
      assert.equal(overlaps('Device.Time.NTPServer1', 'Device.Time.NTPServer2'), false);
    });
  });
});
