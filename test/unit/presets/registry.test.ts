import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lookupFrom } from '../../../src/presets/lookup';
import { PresetRegistry } from '../../../src/presets/registry';
import type { PresetRegistryOptions } from '../../../src/presets/registry';
import type { Preset, PresetError } from '../../../src/presets/types';
import { sleep, until } from '../../helpers/wait';

describe('presets: registry', function () {
  let dir: string;
  let registry: PresetRegistry | null = null;
  let reported: PresetError[];

  const write = (name: string, text: string): void => fs.writeFileSync(path.join(dir, name), text);
  /** Saves like many editors do: a temporary file renamed over the original. */
  const writeByRename = (name: string, text: string): void => {
    const tmp = path.join(dir, `.${name}.swp`);
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, path.join(dir, name));
  };
  const open = (options: PresetRegistryOptions = {}): PresetRegistry => {
    registry = new PresetRegistry(dir, { debounceMs: 20, pollMs: 0, onError: (e) => reported.push(e), ...options });
    return registry;
  };
  const names = (r: PresetRegistry): string[] => r.list().map((p) => p.name);
  const waitFor = (what: string, check: () => boolean): Promise<void> => until(what, async () => check(), 5000);

  beforeEach(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'presets-'));
    reported = [];
  });

  afterEach(function () {
    registry?.close();
    registry = null;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('loads the directory, ordered by weight then name', function () {
    write('wifi.yaml', 'events: ["0 BOOTSTRAP", "1 BOOT"]\nprecondition: DeviceID.ProductClass = "XX230v"\nweight: 10\nchannel: wifi\nprovisions:\n  - [wifi, "HomeNet", "s3cret"]\n');
    write('b.yaml', 'weight: 5\n');
    write('a.yml', 'weight: 5\n');
    write('z.yaml', 'weight: -1\n');
    write('bad.yaml', 'weight: [\n');
    write('readme.md', '# not a preset\n');
    const r = open();
    assert.deepEqual(names(r), ['z', 'a', 'b', 'wifi']);
    assert.deepEqual(r.get('wifi')?.provisions, [{ name: 'wifi', args: ['HomeNet', 's3cret'] }]);
    assert.equal(reported.length, 1);
    assert.equal(reported[0].file, path.join(dir, 'bad.yaml'));
    assert.equal(reported[0].line, 2);
    assert.deepEqual(r.errors(), reported);
  });

  it('matching: events (with exclusions), precondition and schedule window, in weight order', function () {
    write('boot.yaml', 'events: ["1 BOOT"]\nweight: 2\n');
    write('not-periodic.yaml', 'events: ["-2 PERIODIC"]\nweight: 1\n');
    write('xx.yaml', 'precondition: DeviceID.ProductClass = "XX230v" AND Device.DeviceInfo.SoftwareVersion < "1.2"\nweight: -3\n');
    write('night.yaml', 'schedule: { cron: "0 2 * * *", duration: 2h }\nweight: 0\n');
    write('lab.yaml', 'precondition: Tags.lab\nweight: 1\n');
    const r = open();
    const lookup = lookupFrom({
      deviceId: { Manufacturer: 'ACME', OUI: '00AABB', ProductClass: 'XX230v', SerialNumber: '1' },
      parameters: [{ path: 'Device.DeviceInfo.SoftwareVersion', kind: 'leaf', value: '1.1.9', type: 'xsd:string' }],
      tags: ['lab'],
    });
    const at = (iso: string): number => Date.parse(iso);
    const match = (events: string[], now: number): string[] => r.matching({ events, lookup, now }).map((p) => p.name);
    assert.deepEqual(match(['1 BOOT'], at('2024-05-01T12:00:00Z')), ['xx', 'lab', 'not-periodic', 'boot']);
    assert.deepEqual(match(['1 BOOT'], at('2024-05-01T02:30:00Z')), ['xx', 'night', 'lab', 'not-periodic', 'boot']);
    assert.deepEqual(match(['2 PERIODIC'], at('2024-05-01T12:00:00Z')), ['xx', 'lab']);
    assert.deepEqual(r.paths(), ['DeviceID.ProductClass', 'Device.DeviceInfo.SoftwareVersion', 'Tags.lab']);
    const other = lookupFrom({ deviceId: { Manufacturer: 'ACME', OUI: '00AABB', ProductClass: 'YY', SerialNumber: '2' } });
    assert.deepEqual(
      r.matching({ events: ['6 CONNECTION REQUEST'], lookup: other, now: at('2024-05-01T12:00:00Z') }).map((p) => p.name),
      ['not-periodic'],
    );
  });

  it('reloads a changed file, an editor rename-save, and a new file, without a restart', async function () {
    write('wifi.yaml', 'weight: 1\nprovisions: [[wifi, "A"]]\n');
    const changes: string[][] = [];
    const r = open({ onChange: (ps: Preset[]) => changes.push(ps.map((p) => `${p.name}:${p.weight}`)) });
    assert.equal(r.get('wifi')?.weight, 1);

    write('wifi.yaml', 'weight: 2\nprovisions: [[wifi, "B"]]\n');
    await waitFor('the change', () => r.get('wifi')?.weight === 2);
    assert.deepEqual(r.get('wifi')?.provisions, [{ name: 'wifi', args: ['B'] }]);

    writeByRename('wifi.yaml', 'weight: 3\n');
    await waitFor('the rename-save', () => r.get('wifi')?.weight === 3);

    write('new.yml', 'weight: 0\n');
    await waitFor('the new file', () => r.get('new') !== undefined);
    assert.deepEqual(names(r), ['new', 'wifi']);
    assert.deepEqual(changes[changes.length - 1], ['new:0', 'wifi:3']);
    assert.deepEqual(reported, []);
  });

  it('keeps the previous version of a file whose new version is invalid, and reports the line', async function () {
    write('wifi.yaml', 'events: ["1 BOOT"]\nweight: 1\nprovisions: [wifi]\n');
    const r = open();
    const before = r.get('wifi');
    write('wifi.yaml', 'events: ["1 BOOT"]\nweight: 7\nprecondition: Device.X = = 1\nprovisions: [wifi]\n');
    await waitFor('the error report', () => reported.length > 0);
    assert.deepEqual(reported, [
      {
        file: path.join(dir, 'wifi.yaml'),
        line: 3,
        column: 26,
        message: "precondition: expected a parameter path or a value, found '='",
      },
    ]);
    assert.equal(r.get('wifi'), before, 'the previous version stays active');
    assert.equal(r.errors().length, 1);

    // The same bad content again (a touch) is not reported twice.
    await sleep(60);
    r.reload();
    assert.equal(reported.length, 1);

    write('wifi.yaml', 'events: ["1 BOOT"]\nweight: 8\nprovisions: [wifi]\n');
    await waitFor('the fix', () => r.get('wifi')?.weight === 8);
    assert.deepEqual(r.errors(), []);
  });

  it('a file invalid from the start has no preset until fixed', async function () {
    write('x.yaml', 'events: ["1 REBOOT"]\n');
    const r = open();
    assert.equal(r.get('x'), undefined);
    assert.equal(reported[0].line, 1);
    write('x.yaml', 'events: ["1 BOOT"]\n');
    await waitFor('the fix', () => r.get('x') !== undefined);
  });

  it('a deleted file removes its preset', async function () {
    write('a.yaml', 'weight: 1\n');
    write('b.yaml', 'weight: 2\n');
    const r = open();
    fs.unlinkSync(path.join(dir, 'a.yaml'));
    await waitFor('the removal', () => r.get('a') === undefined);
    assert.deepEqual(names(r), ['b']);
  });

  it('a duplicate name (x.yaml and x.yml) is reported once and the first file wins', async function () {
    write('x.yaml', 'weight: 1\n');
    const r = open();
    write('x.yml', 'weight: 2\n');
    await waitFor('the duplicate report', () => reported.length > 0);
    assert.equal(reported[0].file, path.join(dir, 'x.yml'));
    assert.match(reported[0].message, /already defined by .*x\.yaml/);
    assert.equal(r.get('x')?.weight, 1);
    r.reload();
    assert.equal(reported.length, 1);
    fs.unlinkSync(path.join(dir, 'x.yaml'));
    await waitFor('x.yml to take over', () => r.get('x')?.weight === 2);
  });

  it('watcher errors and failing callbacks are reported, never thrown, and watching resumes', async function () {
    write('a.yaml', 'weight: 1\n');
    let calls = 0;
    const r = open({
      onError: (e) => {
        calls++;
        reported.push(e);
        throw new Error('a broken error handler');
      },
      onChange: () => {
        throw new Error('a broken change handler');
      },
    });
    const internals = r as unknown as { watcher: fs.FSWatcher | null };
    assert.ok(internals.watcher);
    internals.watcher.emit('error', new Error('EMFILE: too many open files'));
    assert.equal(calls, 1);
    assert.match(reported[0].message, /watching stopped \(EMFILE: too many open files\); retrying/);
    await waitFor('the watcher to come back', () => internals.watcher !== null);

    write('a.yaml', 'weight: 2\n');
    await waitFor('the change after the error', () => r.get('a')?.weight === 2);
    write('a.yaml', 'weight: [\n');
    await waitFor('the error report', () => calls === 2);
    assert.equal(r.get('a')?.weight, 2);
  });

  it('survives the directory disappearing and picks it up again (poll)', async function () {
    write('a.yaml', 'weight: 1\n');
    const r = open({ pollMs: 30 });
    fs.rmSync(dir, { recursive: true, force: true });
    await waitFor('the directory error', () => reported.some((e) => e.file === dir && /cannot read the presets directory/.test(e.message)));
    assert.deepEqual(names(r), ['a'], 'keeps what was loaded while the directory is missing');
    fs.mkdirSync(dir);
    write('b.yaml', 'weight: 2\n');
    await waitFor('the new directory', () => names(r).join() === 'b');
    write('b.yaml', 'weight: 3\n');
    await waitFor('a change in the new directory', () => r.get('b')?.weight === 3);
  });

  it('starts on a missing directory without throwing', async function () {
    const missing = path.join(dir, 'later');
    registry = new PresetRegistry(missing, { debounceMs: 20, pollMs: 30, onError: (e) => reported.push(e) });
    const r = registry;
    assert.deepEqual(r.list(), []);
    assert.equal(reported.length, 1);
    assert.equal(reported[0].line, 0);
    fs.mkdirSync(missing);
    fs.writeFileSync(path.join(missing, 'a.yaml'), 'weight: 1\n');
    await waitFor('the directory to appear', () => r.get('a') !== undefined);
  });

  it('polls when watching is off', async function () {
    write('a.yaml', 'weight: 1\n');
    const r = open({ watch: false, pollMs: 30 });
    write('a.yaml', 'weight: 2\n');
    await waitFor('the poll', () => r.get('a')?.weight === 2);
  });

  it('checks provisions against a changing set, on revalidate()', function () {
    write('a.yaml', 'provisions: [wifi]\n');
    write('b.yaml', 'provisions: [[firmware, "x.bin"]]\n');
    let known = new Set(['wifi']);
    const r = open({ knownProvisions: () => known });
    assert.deepEqual(names(r), ['a']);
    assert.equal(reported.length, 1);
    assert.deepEqual([reported[0].file, reported[0].line, reported[0].column], [path.join(dir, 'b.yaml'), 1, 15]);
    assert.match(reported[0].message, /unknown provision 'firmware'/);
    known = new Set(['wifi', 'firmware']);
    r.revalidate();
    assert.deepEqual(names(r), ['a', 'b']);
    assert.deepEqual(r.errors(), []);
  });

  it('stops reloading after close()', async function () {
    write('a.yaml', 'weight: 1\n');
    const r = open({ pollMs: 20 });
    r.close();
    write('a.yaml', 'weight: 2\n');
    await sleep(120);
    assert.equal(r.get('a')?.weight, 1);
    r.close(); // idempotent
  });
});
