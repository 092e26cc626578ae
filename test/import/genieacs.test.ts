/**
 * acs import genieacs (issue 11 §3): GenieACS's documents from fixture files
 * in the formats its NBI answers (test/fixtures/genieacs), from a local HTTP
 * server standing in for its NBI, into the database, into folders, and as a
 * dry run; the imported presets then plan as GenieACS ran them.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { openStore } from '../../src/db';
import { dryRun } from '../../src/engine/dry-run';
import { runImport } from '../../src/import/run';
import { ImportInputError, readDir, readNbi } from '../../src/import/source';
import { translatePreset } from '../../src/import/preset';
import { databaseTarget, dryRunTarget, folderTarget, type Limits } from '../../src/import/target';
import { createLogger } from '../../src/log';
import { loadPresetsDir } from '../../src/presets/load';
import { ScriptStore, StoredScripts } from '../../src/scripts';
import { describeEachDriver } from '../helpers/db';

const ROOT = path.resolve(__dirname, '../..');
const FIXTURES = path.join(ROOT, 'test/fixtures/genieacs');
const LIMITS: Limits = { scriptTimeoutMs: 200, scriptMemoryMb: 32 };
const run = promisify(execFile);

const IMPORTED = [
  'virtual-parameter wanIp', 'provision bootstrap', 'provision firmware', 'provision set_inform',
  'provision genieacs-inform', 'preset inform', 'preset bootstrap', 'preset firmware',
  'provision genieacs-refresh', 'preset refresh', 'preset ui-expression', 'preset regex-group',
  'provision genieacs-stale-devices', 'preset stale-devices',
];
const SKIPPED = ['device #4', 'virtual parameter broken', 'preset add-wan', 'preset calls-nothing'];

function tmp(): string {
  return mkdtempSync(path.join(tmpdir(), 'acs-import-'));
}

function emptyDirs(dir: string) {
  return { presetsDir: path.join(dir, 'no-presets'), provisionsDir: path.join(dir, 'no-provisions'), virtualParametersDir: path.join(dir, 'no-vps') };
}

describe('acs import genieacs', function () {
  this.timeout(60_000);

  describe('a preset', () => {
    const same = (n: string): string => n;

    it('events, a MongoDB precondition, schedule, weight and channel map to our preset; provision calls keep their args', () => {
      const { items } = translatePreset(
        {
          _id: 'fw', weight: 5, channel: 'firmware', schedule: '3600 0 3 * * 1-5', events: { '2 PERIODIC': true, '1 BOOT': false },
          precondition: '{"_deviceId._ProductClass":"BM632w","_tags":"pilot"}',
          configurations: [{ type: 'provision', name: 'firmware', args: ['2.0.1', 7, true] }],
        },
        same,
      );
      assert.equal(items.length, 1);
      const text = items[0].source;
      assert.match(text, /^# Imported from the GenieACS preset "fw"/);
      const [preset] = loadPresetsFromText('fw', text);
      assert.deepEqual(preset.events, { all: ['2 PERIODIC'], none: ['1 BOOT'] });
      assert.equal(preset.preconditionSource, '(DeviceID.ProductClass = "BM632w" AND Tags.pilot IS NOT NULL)');
      assert.deepEqual(preset.schedule, { cron: '0 3 * * 1-5', durationS: 3600 });
      assert.equal(preset.weight, 5);
      assert.equal(preset.channel, 'firmware');
      assert.deepEqual(preset.provisions, [{ name: 'firmware', args: ['2.0.1', 7, true] }]);
    });

    it('legacy configurations become one generated provision, called where the first of them was', () => {
      const { items } = translatePreset(
        {
          _id: 'mixed',
          configurations: [
            { type: 'provision', name: 'before', args: null },
            { type: 'value', name: 'InternetGatewayDevice.ManagementServer.PeriodicInformInterval', value: '300' },
            { type: 'provision', name: 'my prov', args: [1] },
            { type: 'age', name: 'InternetGatewayDevice.DeviceInfo.SoftwareVersion', age: '3600' },
            { type: 'age', name: 'InternetGatewayDevice.LANDevice.', age: 60 },
            { type: 'add_tag', tag: 'seen' },
            { type: 'delete_tag', tag: 'new' },
          ],
        },
        (n) => n.replace(' ', '_'),
      );
      assert.deepEqual(items.map((i) => `${i.kind} ${i.name}`), ['provision genieacs-mixed', 'preset mixed']);
      const script = items[0].source;
      assert.match(script, /^declare\("InternetGatewayDevice\.ManagementServer\.PeriodicInformInterval", \{ value: 1 \}, \{ value: "300" \}\);$/m);
      assert.match(script, /^declare\("InternetGatewayDevice\.DeviceInfo\.SoftwareVersion", \{ value: now - 3600000 \}\);$/m);
      assert.match(script, /^declare\("InternetGatewayDevice\.LANDevice\.\*", \{ path: now - 60000 \}\);$/m);
      assert.match(script, /^declare\("Tags\.seen", null, \{ value: true \}\);$/m);
      assert.match(script, /^declare\("Tags\.new", null, \{ value: false \}\);$/m);
      assert.match(script, /^const now = Date\.now\(\);$/m);
      const [preset] = loadPresetsFromText('mixed', items[1].source);
      assert.deepEqual(preset.provisions.map((p) => [p.name, ...p.args]), [['before'], ['genieacs-mixed'], ['my_prov', 1]]);
    });

    for (const [what, doc, reason] of [
      ['add_object', { configurations: [{ type: 'add_object', name: 'InternetGatewayDevice.X', object: 'y' }] }, /configurations\[0\] \(add_object\): add_object is not converted/],
      ['an unknown configuration type', { configurations: [{ type: 'custom_command', name: 'x' }] }, /configurations\[0\] \(custom_command\): unknown configuration type/],
      ['a value that is an object', { configurations: [{ type: 'value', name: 'Device.X', value: { a: 1 } }] }, /value \{"a":1\} is not a string/],
      ['a tag ours cannot name', { configurations: [{ type: 'add_tag', tag: 'two words' }] }, /tag "two words"/],
      ['a path outside the data model roots', { configurations: [{ type: 'value', name: 'Foo.Bar', value: '1' }] }, /name "Foo\.Bar" is not a parameter path/],
      ['a regular expression with a backreference', { precondition: '{"_id":{"$regex":"^(a)\\\\1"}}' }, /\$regex .*backreferences, lookaround and counted repetitions over 16/],
      ['a time that is not a date', { precondition: '{"_lastInform":{"$lt":"last year"}}' }, /_lastInform: "last year" is not a date/],
      ['an object argument', { configurations: [{ type: 'provision', name: 'p', args: [{ a: 1 }] }] }, /args must be an array of strings, numbers and booleans/],
    ] as const) {
      it(`is refused, naming the field, for ${what}`, () => {
        assert.throws(() => translatePreset({ _id: 'x', ...doc } as never, same), reason);
      });
    }
  });

  describe('from fixture files (--dir)', () => {
    it('reads what the NBI answers; skips documents that are not GenieACS\'s, saying why', () => {
      const { data, skipped, notes } = readDir(FIXTURES, true);
      assert.equal(data.presets.length, 9);
      assert.deepEqual(data.provisions.map((p) => p._id), ['bootstrap', 'firmware', 'set inform']);
      assert.deepEqual(data.virtualParameters.map((p) => p._id), ['wanIp', 'broken']);
      assert.deepEqual(data.devices?.map((d) => d._id), ['202BC1-BM632w-000001', '202BC1-BM632w-000002', '00259E-HG8245H-4857544300000003']);
      assert.deepEqual(skipped, [{ from: 'device #4', reason: 'no "_id" string' }]);
      assert.deepEqual(notes, []);
      assert.equal(readDir(FIXTURES, false).data.devices, undefined, 'devices only with --devices');
    });

    it('a file that is not JSON, or not an array, is an input error naming it', () => {
      const dir = tmp();
      try {
        writeFileSync(path.join(dir, 'presets.json'), '[{"_id": ');
        assert.throws(() => readDir(dir, false), (e: Error) => e instanceof ImportInputError && e.message.startsWith(`${path.join(dir, 'presets.json')}: not JSON`));
        writeFileSync(path.join(dir, 'presets.json'), '{"_id": "x"}');
        assert.throws(() => readDir(dir, false), /expected a JSON array/);
        rmSync(path.join(dir, 'presets.json'));
        assert.deepEqual(readDir(dir, false).notes.length, 3, 'each missing file noted');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('a dry run checks everything as PUT would and lists what it would import and what not, with reasons', async () => {
      const dir = tmp();
      try {
        const read = readDir(FIXTURES, true);
        const r = await runImport(read.data, dryRunTarget(emptyDirs(dir), LIMITS, true));
        assert.deepEqual(r.imported.map((i) => `${i.item.kind} ${i.item.name}`), IMPORTED);
        assert.deepEqual([...read.skipped, ...r.skipped].map((s) => s.from), SKIPPED);
        const reason = (from: string) => r.skipped.find((s) => s.from === from)?.reason ?? '';
        assert.match(reason('virtual parameter broken'), /line 1, column \d+: Unexpected token/);
        assert.match(reason('preset calls-nothing'), /unknown provision 'not-there'/);
        assert.match(reason('preset add-wan'), /add_object is not converted/);
        assert.deepEqual(r.notes, ['provision set inform is imported as set_inform (and called so by the presets)']);
        assert.deepEqual(r.tagged, { devices: 3, tags: 4 });
        assert.deepEqual(readdirSync(dir), [], 'a dry run writes nothing');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('--out writes folders the ACS loads; the imported presets plan as GenieACS ran them', async () => {
      const out = tmp();
      try {
        const r = await runImport(readDir(FIXTURES, false).data, folderTarget(out, LIMITS));
        assert.equal(r.imported.length, IMPORTED.length);
        assert.deepEqual(readdirSync(path.join(out, 'presets')).sort(), ['bootstrap.yaml', 'firmware.yaml', 'inform.yaml', 'refresh.yaml', 'regex-group.yaml', 'stale-devices.yaml', 'ui-expression.yaml']);
        assert.deepEqual(readdirSync(path.join(out, 'provisions')).sort(), ['bootstrap.js', 'firmware.js', 'genieacs-inform.js', 'genieacs-refresh.js', 'genieacs-stale-devices.js', 'set_inform.js']);
        assert.deepEqual(readdirSync(path.join(out, 'virtual-parameters')), ['wanIp.js']);
        const loaded = loadPresetsDir(path.join(out, 'presets'), new Set(['bootstrap', 'firmware', 'genieacs-inform', 'genieacs-refresh', 'genieacs-stale-devices', 'set_inform']));
        assert.deepEqual(loaded.errors, []);

        // refresh: on a periodic Inform, the age-based read, the provision's value, the tags.
        const refresh = await dryRun({ device: 'tr098', preset: 'refresh', presetsDir: path.join(out, 'presets'), provisionsDir: path.join(out, 'provisions'), extDir: out, cached: true });
        assert.equal(refresh.applied, true, refresh.reason);
        assert.equal(refresh.completed, true, JSON.stringify(refresh.faults));
        const sets = refresh.rounds.flatMap((x) => x.rpcs).flatMap((x) => (x.request.method === 'SetParameterValues' ? x.request.ParameterList : []));
        assert.deepEqual(sets.map((p) => [p.Name, p.Value]), [['InternetGatewayDevice.ManagementServer.PeriodicInformInterval', '600']]);
        assert.deepEqual(refresh.tags.add, ['refreshed'], 'add_tag (delete_tag of a tag the device lacks changes nothing)');

        // inform: the legacy value configurations are set, only on devices tagged "test".
        const device = path.join(out, 'device.json');
        writeFileSync(device, JSON.stringify({ tags: ['test'], parameters: [
          { path: 'InternetGatewayDevice.ManagementServer.PeriodicInformEnable', value: 'false', type: 'xsd:boolean', writable: true },
          { path: 'InternetGatewayDevice.ManagementServer.PeriodicInformInterval', value: '3600', type: 'xsd:unsignedInt', writable: true },
          { path: 'InternetGatewayDevice.DeviceInfo.SoftwareVersion', value: '1.0', type: 'xsd:string', writable: false },
        ] }));
        const inform = await dryRun({ device, preset: 'inform', presetsDir: path.join(out, 'presets'), provisionsDir: path.join(out, 'provisions'), extDir: out });
        assert.equal(inform.applied, true, inform.reason);
        const written = inform.rounds.flatMap((x) => x.rpcs).flatMap((x) => (x.request.method === 'SetParameterValues' ? x.request.ParameterList : []));
        assert.deepEqual(written.map((p) => [p.Name, p.Value]).sort(), [
          ['InternetGatewayDevice.ManagementServer.PeriodicInformEnable', 'true'],
          ['InternetGatewayDevice.ManagementServer.PeriodicInformInterval', '300'],
        ]);
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    });
  });

  describe('from a GenieACS NBI (--url; a local server stands in for it)', () => {
    let server: Server;
    let base: string;
    const seen: string[] = [];
    let failPresets = false;
    before(async () => {
      const file = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');
      server = createServer((req, res) => {
        const url = new URL(req.url ?? '/', 'http://x');
        seen.push(`${req.headers.authorization ?? '-'} ${url.pathname}${url.search}`);
        if (req.headers.authorization !== `Basic ${Buffer.from('admin:p@ss').toString('base64')}`) return void res.writeHead(401).end();
        const send = (body: string) => res.writeHead(200, { 'content-type': 'application/json' }).end(body);
        if (url.pathname === '/presets/') return failPresets ? void res.writeHead(500).end('db down') : send(file('presets.json'));
        if (url.pathname === '/provisions/') return send(file('provisions.json'));
        if (url.pathname === '/virtual_parameters/') return send(file('virtualParameters.json'));
        if (url.pathname === '/devices/') {
          const all = JSON.parse(file('devices.json')) as unknown[];
          const skip = Number(url.searchParams.get('skip'));
          return send(JSON.stringify(all.slice(skip, skip + Number(url.searchParams.get('limit')))));
        }
        res.writeHead(404).end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://admin:p%40ss@127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => server.close());

    it('reads the same as the files, with Basic auth from the URL, tagged devices by query and projection', async () => {
      seen.length = 0;
      const r = await readNbi(base, true, 2);
      assert.deepEqual(r.data, readDir(FIXTURES, true).data);
      const devices = seen.filter((s) => s.includes('/devices/'));
      assert.deepEqual(devices.map((d) => new URL(d.split(' ').at(-1) ?? '', 'http://x').searchParams.get('skip')), ['0', '2', '4'], 'pages of 2 until a short one');
      const q = new URL(devices[0].split(' ').at(-1) ?? '', 'http://x').searchParams;
      assert.deepEqual(JSON.parse(q.get('query') ?? ''), { _tags: { $exists: true } });
      assert.equal(q.get('projection'), '_tags');
      assert.ok(seen.every((s) => s.startsWith('Basic ')), 'credentials sent as Basic auth, not in the URL');
    });

    it('an NBI that answers an error is an input error naming the request', async () => {
      failPresets = true;
      try {
        await assert.rejects(readNbi(base, false), (e: Error) => e instanceof ImportInputError && /GET http:\/\/127\.0\.0\.1:\d+\/presets\/: 500/.test(e.message));
      } finally {
        failPresets = false;
      }
      await assert.rejects(readNbi(base.replace('p%40ss', 'wrong'), false), /401/);
    });
  });

  describeEachDriver('into the database', 'acs_test_import_genieacs', (ctx) => {
    it('stores each script as PUT does (a version by import:genieacs), tags the devices, and stores nothing it refused', async () => {
      const dir = tmp();
      const stored = new StoredScripts(new ScriptStore(ctx.store.sql), { log: createLogger('silent'), pollMs: 0 });
      try {
        const dirs = emptyDirs(dir);
        mkdirSync(dirs.presetsDir);
        writeFileSync(path.join(dirs.presetsDir, 'bootstrap.yaml'), 'provisions: []\n');
        await stored.refresh();
        const r = await runImport(readDir(FIXTURES, true).data, databaseTarget(ctx.store, stored, dirs, LIMITS));
        const scripts = new ScriptStore(ctx.store.sql);
        const all = await scripts.all();
        assert.deepEqual(all.map((s) => `${s.kind} ${s.name}`).sort(), IMPORTED.filter((i) => i !== 'preset bootstrap').sort());
        assert.ok(all.every((s) => s.updatedBy === 'import:genieacs' && s.version === 1));
        assert.match(r.skipped.find((s) => s.from === 'preset bootstrap')?.reason ?? '', /bootstrap\.yaml holds the preset bootstrap: files win/);
        assert.equal(await scripts.get('virtual-parameter', 'broken'), null);
        assert.equal(await scripts.get('preset', 'add-wan'), null);
        assert.deepEqual(await ctx.store.getTags('202BC1-BM632w-000001'), ['lab', 'test']);
        assert.deepEqual(await ctx.store.getTags('202BC1-BM632w-000002'), ['test']);

        // Again: a new version of each, nothing doubled.
        await runImport(readDir(FIXTURES, true).data, databaseTarget(ctx.store, stored, dirs, LIMITS));
        assert.equal((await scripts.get('preset', 'inform'))?.version, 2);
        assert.deepEqual(await ctx.store.getTags('202BC1-BM632w-000001'), ['lab', 'test']);
      } finally {
        stored.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('command line (node bin/acs.js import, from dist/)', function () {
    this.timeout(120_000);
    async function cli(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
      try {
        const { stdout, stderr } = await run(process.execPath, [path.join(ROOT, 'bin/acs.js'), 'import', ...args], { env: { ...process.env, ...env } });
        return { code: 0, stdout, stderr };
      } catch (err) {
        const e = err as { code?: number; stdout?: string; stderr?: string };
        if (typeof e.code !== 'number') throw err;
        return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
      }
    }

    it('--dry-run lists what would be imported and why the rest is not; exit 1 when something is left out', async () => {
      const dir = tmp();
      try {
        const { code, stdout } = await cli(emptyEnv(dir), 'genieacs', '--dir', FIXTURES, '--devices', '--dry-run');
        assert.equal(code, 1, stdout);
        assert.match(stdout, /^would import$/m);
        assert.match(stdout, /^ {2}provision genieacs-inform \(from preset inform\)$/m);
        assert.match(stdout, /^ {2}preset add-wan: configurations\[0\] \(add_object\): /m);
        assert.match(stdout, /^tags: 4 on 3 devices$/m);
        assert.match(stdout, /^14 would be imported, 4 not imported$/m);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('imports into the database of DATABASE_URL (SQLite here)', async () => {
      const dir = tmp();
      try {
        const url = `sqlite:${path.join(dir, 'acs.sqlite')}`;
        const { code, stdout } = await cli({ ...emptyEnv(dir), DATABASE_URL: url }, 'genieacs', '--dir', FIXTURES, '--devices');
        assert.equal(code, 1, stdout);
        assert.match(stdout, /^14 imported, 4 not imported$/m);
        const store = await openStore(url);
        try {
          assert.equal((await new ScriptStore(store.sql).all()).length, 14);
          assert.deepEqual(await store.getTags('202BC1-BM632w-000002'), ['test']);
        } finally {
          await store.close();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('bad arguments and unreadable input exit 2 and write nothing', async () => {
      const dir = tmp();
      try {
        assert.equal((await cli({}, 'genieacs')).code, 2);
        assert.equal((await cli({}, 'openacs', '--dir', FIXTURES)).code, 2);
        assert.match((await cli({}, 'genieacs', '--dir', FIXTURES, '--url', 'http://x')).stderr, /either --url URL or --dir DIR/);
        assert.match((await cli({}, 'genieacs', '--dir', FIXTURES, '--devices', '--out', dir)).stderr, /--devices writes tags to the database/);
        writeFileSync(path.join(dir, 'presets.json'), 'not json');
        const bad = await cli({}, 'genieacs', '--dir', dir, '--out', path.join(dir, 'out'));
        assert.equal(bad.code, 2);
        assert.match(bad.stderr, /presets\.json: not JSON/);
        assert.deepEqual(readdirSync(dir), ['presets.json']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});

function emptyEnv(dir: string): Record<string, string> {
  const d = emptyDirs(dir);
  return { PRESETS_DIR: d.presetsDir, PROVISIONS_DIR: d.provisionsDir, VIRTUAL_PARAMETERS_DIR: d.virtualParametersDir, LOG_LEVEL: 'error' };
}

function loadPresetsFromText(name: string, text: string) {
  const dir = tmp();
  try {
    writeFileSync(path.join(dir, `${name}.yaml`), text);
    const r = loadPresetsDir(dir);
    assert.deepEqual(r.errors, []);
    return r.presets;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
