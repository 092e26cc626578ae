/**
 * Issue 11, "Done when": GenieACS-style presets, provisions and virtual
 * parameters, written in GenieACS's own JSON (test/fixtures/genieacs/suite/,
 * as its NBI answers GET /presets/, /provisions/, /virtual_parameters/),
 * cover every point of §1: both roots, implicit commit in provisions and in
 * virtual parameters, Date.now(interval) and Date.now(cron), {path: N},
 * a callback extension, `let args`, a virtual parameter's args[2..3], a
 * number for an xsd:dateTime; and a legacy preset (configurations).
 *
 * Each preset is played (acs provision's engine, two sessions half an hour
 * apart) on the TR-098 and TR-181 sample devices twice: (a) from files an
 * operator writes (our preset YAML, the provisions' JavaScript unchanged),
 * (b) from what `acs import genieacs --dir` stored in a fresh database. The
 * RPCs must be the same, and the expected ones.
 */
import { strict as assert } from 'node:assert';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CpeRequest } from '../../src/cwmp/soap/types';
import { openStore } from '../../src/db';
import { dryRun, type DryRunResult, type DryRunSession } from '../../src/engine/dry-run';
import { loadDryRunDevice } from '../../src/engine/dry-run-device';
import { runImport } from '../../src/import/run';
import { readDir } from '../../src/import/source';
import { databaseTarget } from '../../src/import/target';
import { createLogger } from '../../src/log';
import { windowStart } from '../../src/sandbox/date-window';
import { ScriptStore, StoredScripts } from '../../src/scripts';
import type { ScriptKind } from '../../src/scripts/types';
import { dropMysqlDatabase, mysqlUrl } from '../helpers/db';

const SUITE = path.resolve(__dirname, '../fixtures/genieacs/suite');
const SAMPLES = path.resolve(__dirname, '../../../shared/samples/device-models');
const DEVICES = [
  { label: 'TR-098', file: path.join(SAMPLES, 'device-00259E-EG8145V5-48575443A94196A5-2023-03-28T154335106Z.csv'), root: 'InternetGatewayDevice', model: 'EG8145V5' },
  { label: 'TR-181', file: path.join(SAMPLES, 'device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv'), root: 'Device', model: 'XX230v' },
] as const;
type Sample = (typeof DEVICES)[number];
const PRESETS = ['inform', 'billing', 'portmap', 'model-code', 'legacy-refresh'] as const;
const HOUR = 3_600_000;
const MINUTE = 60_000;
const FOLDERS: Record<ScriptKind, string> = { preset: 'presets', provision: 'provisions', 'virtual-parameter': 'virtual-parameters' };
const EXTENSION: Record<ScriptKind, string> = { preset: '.yaml', provision: '.js', 'virtual-parameter': '.js' };

/** What a session did, as asserted: its events, whether the preset ran, its RPCs (SetParameterValues without the ParameterKey), logs, faults, tags. */
interface Played {
  events: string[];
  applied: boolean;
  rpcs: unknown[];
  logs: string[];
  faults: string[];
  tags: string[];
}

/** A request without its ParameterKey: a hash of the configuration (presets, provisions' code), the same for both ways but for the legacy preset's provision name. */
function withoutKey(q: CpeRequest): unknown {
  if (q.method === 'SetParameterValues') return { method: q.method, ParameterList: q.ParameterList };
  if (q.method === 'AddObject') return { method: q.method, ObjectName: q.ObjectName };
  return q;
}

function playedOf(s: DryRunSession): Played {
  return {
    events: s.events,
    applied: s.applied,
    rpcs: s.rounds.flatMap((r) => r.rpcs.map((x) => withoutKey(x.request))),
    logs: Object.values(s.logs).flat(),
    faults: s.faults.map((f) => `${f.code}: ${f.message}`),
    tags: s.tags.add,
  };
}

const gpn = (ParameterPath: string) => ({ method: 'GetParameterNames', ParameterPath, NextLevel: true });
const gpv = (...ParameterNames: string[]) => ({ method: 'GetParameterValues', ParameterNames });
const spv = (...ParameterList: [string, string, string][]) => ({ method: 'SetParameterValues', ParameterList: ParameterList.map(([Name, Value, type]) => ({ Name, Value, type })) });
const quiet = (events: string[], applied = true): Played => ({ events, applied, rpcs: [], logs: [], faults: [], tags: [] });

/** What each preset must do on each sample: its first session (the preset's events), then a periodic one 30 minutes later. */
function expected(preset: (typeof PRESETS)[number], d: Sample): Played[] {
  const r = d.root;
  const tr098 = r === 'InternetGatewayDevice';
  const ms = `${r}.ManagementServer.`;
  const info = `${r}.DeviceInfo.`;
  const serial = loadDryRunDevice(d.file).deviceId.SerialNumber;
  switch (preset) {
    case 'inform':
      // Both roots declared: the top level is listed once, the other root is an empty result. The hourly reads are
      // the Inform's own parameters (as fresh as the Inform); the daily ones are read once. PeriodicInformTime given
      // as epoch ms goes out as an ISO date; informs are enabled already. Half an hour later: the same windows.
      return [
        {
          ...quiet(['1 BOOT']),
          rpcs: [
            gpn(''),
            gpv(`${ms}PeriodicInformEnable`, `${ms}PeriodicInformInterval`, `${ms}PeriodicInformTime`),
            spv([`${ms}PeriodicInformInterval`, '3600', 'xsd:unsignedInt'], [`${ms}PeriodicInformTime`, '2026-01-01T02:30:00.000Z', 'xsd:dateTime']),
          ],
        },
        quiet(['2 PERIODIC']),
      ];
    case 'billing': {
      // Reading ModelName commits: the listing that finds the other root absent and the read, then the extension's
      // answer; the interval is read (ProvisioningCode came with the Inform) and both written.
      const plan = `plan-${d.model.toLowerCase()}`;
      const log = [`plan ${plan} for ${serial}`];
      return [
        {
          ...quiet(['2 PERIODIC']),
          rpcs: [gpn(''), gpv(`${info}ModelName`), gpv(`${ms}PeriodicInformInterval`), spv([`${info}ProvisioningCode`, plan, 'xsd:string'], [`${ms}PeriodicInformInterval`, String(d.model.length * 100), 'xsd:unsignedInt'])],
          logs: log,
        },
        // The same window: nothing read, nothing written; the extension is asked again (its answer is not kept across sessions).
        { ...quiet(['2 PERIODIC']), logs: log },
      ];
    }
    case 'portmap': {
      // {path: now}: the table is listed (the other root found absent in the same round, in the order declared),
      // then {path: 1} adds the one instance with its alias key.
      const [object, key] = tr098 ? [`${r}.WANDevice.1.WANConnectionDevice.1.WANPPPConnection.1.PortMapping.`, 'PortMappingDescription'] : [`${r}.NAT.PortMapping.`, 'Description'];
      return [
        {
          ...quiet(['1 BOOT']),
          rpcs: [...(tr098 ? [gpn(object), gpn('')] : [gpn(''), gpn(object)]), { method: 'AddObject', ObjectName: object }, spv([`${object}1.${key}`, 'suite-ssh', 'xsd:string'])],
        },
        quiet(['2 PERIODIC'], false), // its event is 1 BOOT
      ];
    }
    case 'model-code': {
      // The provision reads the virtual parameter: computed first (its script reads the model under both roots,
      // the engine fetches the real one), then written; args[2..3] held the value computed earlier in the session.
      // Every session reads the model again ({value: Date.now()}), and writes nothing new.
      const tag = `${d.model}/${d.model}@now`;
      return [
        { ...quiet(['2 PERIODIC']), rpcs: [gpn(''), gpv(`${info}ModelName`), spv([`${info}ProvisioningCode`, tag, 'xsd:string'])] },
        { ...quiet(['2 PERIODIC']), rpcs: [gpv(`${info}ModelName`)] },
      ];
    }
    case 'legacy-refresh':
      // TR-098 paths only: on TR-181 they are absent (one listing); on TR-098 the uptime older than an hour is read, and
      // informs are enabled already. The tag is added once.
      return [
        { ...quiet(['2 PERIODIC']), rpcs: tr098 ? [gpv(`${info}UpTime`, `${ms}PeriodicInformEnable`)] : [gpn('')], tags: ['suite'] },
        quiet(['2 PERIODIC']),
      ];
  }
}

describe('Done when (issue 11): GenieACS-style presets give the same, expected plans as files and after acs import genieacs', function () {
  this.timeout(300_000);
  let dir: string;
  const files = () => path.join(dir, 'files');
  const imported = () => path.join(dir, 'imported');
  const ext = () => path.join(dir, 'extensions');

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'acs-genieacs-suite-'));
    cpSync(path.join(SUITE, 'extensions'), ext(), { recursive: true });

    // (a) What an operator writes: our preset YAML, the GenieACS scripts as they are.
    const read = readDir(SUITE, false);
    assert.deepEqual(read.skipped, []);
    cpSync(path.join(SUITE, 'ours'), files(), { recursive: true });
    for (const p of read.data.provisions) writeFileSync(path.join(files(), 'provisions', `${p._id}.js`), p.script);
    mkdirSync(path.join(files(), 'virtual-parameters'));
    for (const v of read.data.virtualParameters) writeFileSync(path.join(files(), 'virtual-parameters', `${v._id}.js`), v.script);

    // (b) acs import genieacs --dir into a fresh database, then what the database holds as the engine's scripts.
    const url = mysqlUrl('acs_test_genieacs_import_plans');
    await dropMysqlDatabase(url);
    const store = await openStore(url);
    const stored = new StoredScripts(new ScriptStore(store.sql), { log: createLogger('silent'), pollMs: 0 });
    try {
      await store.migrate();
      await stored.refresh();
      const none = path.join(dir, 'none');
      const dirs = { presetsDir: none, provisionsDir: none, virtualParametersDir: none };
      const report = await runImport(read.data, databaseTarget(store, stored, dirs, { scriptTimeoutMs: 2000, scriptMemoryMb: 64 }));
      assert.deepEqual(report.skipped, []);
      assert.equal(report.imported.length, PRESETS.length + read.data.provisions.length + read.data.virtualParameters.length + 1, 'and the legacy preset\'s generated provision');
      for (const s of await new ScriptStore(store.sql).all()) {
        mkdirSync(path.join(imported(), FOLDERS[s.kind]), { recursive: true });
        writeFileSync(path.join(imported(), FOLDERS[s.kind], `${s.name}${EXTENSION[s.kind]}`), s.source);
      }
    } finally {
      stored.close();
      await store.close();
    }
    assert.deepEqual(readdirSync(path.join(imported(), 'presets')).sort(), PRESETS.map((p) => `${p}.yaml`).sort());
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function play(scripts: string, preset: string, d: Sample): Promise<DryRunResult> {
    // The first session a minute into one of the device's hourly windows, the second in the same window and the same day.
    const start = windowStart(Date.parse('2026-12-01T10:00:00Z'), loadDryRunDevice(d.file).deviceKey, { every: HOUR, variance: null }) as number;
    return dryRun({
      device: d.file, preset, sessions: 2, intervalMs: 30 * MINUTE, startTime: start + MINUTE, extDir: ext(), scriptTimeoutMs: 2000,
      presetsDir: path.join(scripts, 'presets'), provisionsDir: path.join(scripts, 'provisions'), virtualParametersDir: path.join(scripts, 'virtual-parameters'),
    });
  }

  for (const preset of PRESETS) {
    for (const d of DEVICES) {
      it(`${preset} on ${d.label}: the expected RPCs, as files and after the import`, async () => {
        const a = await play(files(), preset, d);
        const b = await play(imported(), preset, d);
        const ours = [a, ...a.later].map(playedOf);
        assert.deepEqual([b, ...b.later].map(playedOf), ours, 'the imported preset plans as the one written as files');
        assert.deepEqual(ours, expected(preset, d));
      });
    }
  }
});
