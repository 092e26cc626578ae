/**
 * acs provision (issue 11 §4): virtual parameters from their folder, ext()
 * run for real (the process used to end silently) or answered from a file,
 * several sessions in a row; and acs lint's warnings about GenieACS idioms
 * that cost RPCs in every session.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { dryRun, DryRunInputError, type DryRunOptions, type DryRunSession } from '../../src/engine/dry-run';
import { loadExtAnswers } from '../../src/engine/dry-run-ext';
import { lint } from '../../src/lint/cli';

const ROOT = path.resolve(__dirname, '../..');
const run = promisify(execFile);

const PRESETS: Record<string, string> = {
  'orders.yaml': 'provisions:\n  - orders\n',
  'hourly.yaml': 'provisions:\n  - hourly\n',
  'secret.yaml': 'provisions:\n  - secret\n',
  'secret-once.yaml': 'provisions:\n  - secret-once\n',
  'uptime.yaml': 'provisions:\n  - uptime\n',
};

const PROVISIONS: Record<string, string> = {
  'orders.js': `
const plan = ext('orders.lookup', 'SN1');
log('plan ' + JSON.stringify(plan));
declare('Device.ManagementServer.PeriodicInformInterval', { value: 1 }, { value: plan.interval });
`,
  'hourly.js': `declare('Device.DeviceInfo.UpTime', { value: Date.now() - 3600 * 1000 });\n`,
  'secret.js': `declare('Device.ManagementServer.ConnectionRequestPassword', { value: Date.now() }, { value: 's3cret' });\n`,
  'secret-once.js': `declare('Device.ManagementServer.ConnectionRequestPassword', null, { value: 's3cret' });\n`,
  'uptime.js': `log('uptime ' + JSON.stringify(declare('VirtualParameters.uptimeHours', { value: Date.now() }).value));\n`,
};

const EXTENSION = `exports.lookup = (serial) => ({ serial, interval: 1800 });\n`;
const VIRTUAL = `
const u = declare('Device.DeviceInfo.UpTime', { value: Date.now() });
return { writable: false, value: [u.value ? Math.floor(u.value[0] / 3600) : 0, 'xsd:unsignedInt'] };
`;

function reads(s: DryRunSession): string[] {
  return s.rounds.flatMap((r) => r.rpcs).flatMap((x) => (x.request.method === 'GetParameterValues' ? x.request.ParameterNames : []));
}

function writes(s: DryRunSession): string[] {
  return s.rounds.flatMap((r) => r.rpcs).flatMap((x) => (x.request.method === 'SetParameterValues' ? x.request.ParameterList.map((p) => `${p.Name}=${p.Value}`) : []));
}

describe('acs provision: virtual parameters, extensions, sessions', function () {
  this.timeout(60_000);
  let dir: string;
  const options = (preset: string, more: Partial<DryRunOptions> = {}): DryRunOptions => ({
    device: 'tr181',
    preset,
    presetsDir: path.join(dir, 'presets'),
    provisionsDir: path.join(dir, 'provisions'),
    extDir: path.join(dir, 'extensions'),
    virtualParametersDir: path.join(dir, 'virtual-parameters'),
    ...more,
  });

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'acs-dry-run-sessions-'));
    for (const d of ['presets', 'provisions', 'extensions', 'virtual-parameters']) mkdirSync(path.join(dir, d));
    for (const [name, text] of Object.entries(PRESETS)) writeFileSync(path.join(dir, 'presets', name), text);
    for (const [name, text] of Object.entries(PROVISIONS)) writeFileSync(path.join(dir, 'provisions', name), text);
    writeFileSync(path.join(dir, 'extensions', 'orders.js'), EXTENSION);
    writeFileSync(path.join(dir, 'virtual-parameters', 'uptimeHours.js'), VIRTUAL);
    writeFileSync(path.join(dir, 'answers.json'), JSON.stringify({ 'orders.lookup': [{ args: ['SN1'], value: { interval: 600 } }, { error: 'unknown serial' }] }));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the virtual parameters of their folder: the script reads the real parameter, the provision sees its value', async () => {
    const r = await dryRun(options('uptime'));
    assert.equal(r.completed, true, JSON.stringify(r.faults));
    assert.deepEqual(reads(r), ['Device.DeviceInfo.UpTime']);
    assert.deepEqual(r.logs['uptime/uptime'], ['uptime [0,"xsd:unsignedInt"]']);
    const without = await dryRun(options('uptime', { virtualParametersDir: path.join(dir, 'none') }));
    assert.deepEqual(reads(without), [], 'no script, nothing to read');
  });

  it('calls the real extension, or answers from --ext by arguments; an unanswered call faults naming the file', async () => {
    const real = await dryRun(options('orders'));
    assert.deepEqual(real.logs['orders/orders'], ['plan {"serial":"SN1","interval":1800}']);
    assert.deepEqual(writes(real), ['Device.ManagementServer.PeriodicInformInterval=1800']);

    const file = path.join(dir, 'answers.json');
    const answered = await dryRun(options('orders', { extAnswers: { file, answers: loadExtAnswers(file) } }));
    assert.deepEqual(writes(answered), ['Device.ManagementServer.PeriodicInformInterval=600']);

    const other = path.join(dir, 'other.json');
    writeFileSync(other, JSON.stringify({ 'orders.lookup': [{ args: ['SN2'], value: {} }] }));
    const unanswered = await dryRun(options('orders', { extAnswers: { file: other, answers: loadExtAnswers(other) } }));
    assert.equal(unanswered.completed, false);
    assert.equal(unanswered.faults[0]?.code, 'ext.unknown');
    assert.match(unanswered.faults[0]?.message ?? '', /other\.json has no answer for ext\('orders\.lookup'\) with args \["SN1"\]/);
  });

  it('refuses an answers file that says nothing clear', () => {
    const bad = path.join(dir, 'bad.json');
    for (const [text, problem] of [
      ['[1]', /expected an object/],
      ['{"a": {"value": 1, "error": "x"}}', /"a": needs exactly one of "value" and "error"/],
      ['{"a": [{"args": "x", "value": 1}]}', /"a\[0\]": "args" must be an array/],
      ['{"a": ', /not JSON/],
    ] as const) {
      writeFileSync(bad, text);
      assert.throws(() => loadExtAnswers(bad), (e: Error) => e instanceof DryRunInputError && problem.test(e.message), text);
    }
  });

  it('plays sessions in a row on one cache: a read "at most once an hour" happens in sessions 1 and 3 of three, 40 minutes apart', async () => {
    const start = Date.parse('2026-12-01T10:00:00Z');
    const r = await dryRun(options('hourly', { sessions: 3, intervalMs: 40 * 60_000, startTime: start }));
    const sessions = [r, ...r.later];
    assert.deepEqual(sessions.map((s) => s.time), ['2026-12-01T10:00:00.000Z', '2026-12-01T10:40:00.000Z', '2026-12-01T11:20:00.000Z']);
    assert.deepEqual(sessions.map((s) => s.events), [['1 BOOT'], ['2 PERIODIC'], ['2 PERIODIC']]);
    assert.deepEqual(sessions.map(reads), [['Device.DeviceInfo.UpTime'], [], ['Device.DeviceInfo.UpTime']]);
  });

  it('shows the cost of {value: Date.now()} on a secret: re-set in every session, against once', async () => {
    const every = await dryRun(options('secret', { sessions: 3 }));
    assert.deepEqual([every, ...every.later].map((s) => writes(s).length), [1, 1, 1]);
    const once = await dryRun(options('secret-once', { sessions: 3 }));
    assert.deepEqual([once, ...once.later].map((s) => writes(s).length), [1, 0, 0]);
  });

  describe('command line (node bin/acs.js provision, from dist/)', function () {
    this.timeout(120_000);
    async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
      const env = { ...process.env, PRESETS_DIR: path.join(dir, 'presets'), PROVISIONS_DIR: path.join(dir, 'provisions'), EXT_DIR: path.join(dir, 'extensions'), VIRTUAL_PARAMETERS_DIR: path.join(dir, 'virtual-parameters') };
      try {
        const { stdout, stderr } = await run(process.execPath, [path.join(ROOT, 'bin/acs.js'), 'provision', '--device', 'tr181', ...args], { cwd: dir, env });
        return { code: 0, stdout, stderr };
      } catch (err) {
        const e = err as { code?: number; stdout?: string; stderr?: string };
        if (typeof e.code !== 'number') throw err;
        return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
      }
    }

    it('prints the plan of a provision that calls ext() (it used to print nothing and exit 0)', async () => {
      const { code, stdout, stderr } = await cli('--preset', 'orders');
      assert.equal(code, 0, stderr);
      assert.match(stdout, /orders\/orders: plan \{"serial":"SN1","interval":1800\}/);
      assert.match(stdout, /Device\.ManagementServer\.PeriodicInformInterval = "1800"/);
      assert.match(stdout, /^completed: /m);
    });

    it('--ext, --sessions and --interval; VIRTUAL_PARAMETERS_DIR by default', async () => {
      const answered = await cli('--preset', 'orders', '--ext', path.join(dir, 'answers.json'));
      assert.match(answered.stdout, /PeriodicInformInterval = "600"/);
      const { code, stdout } = await cli('--preset', 'hourly', '--sessions', '3', '--interval', '40m');
      assert.equal(code, 0, stdout);
      assert.match(stdout, /^=== session 2 at \S+, events: 2 PERIODIC$/m);
      assert.match(stdout, /^sessions\n {2}1 \S+: completed: 1 round, 1 RPC\n {2}2 \S+: completed: 0 rounds, 0 RPCs\n {2}3 \S+: completed: 1 round, 1 RPC$/m);
      assert.match(stdout, /^completed: 3 sessions$/m);
      const vp = await cli('--preset', 'uptime');
      assert.match(vp.stdout, /uptime\/uptime: uptime \[0,"xsd:unsignedInt"\]/);
    });

    it('bad --sessions, --interval or --ext exit 2', async () => {
      assert.match((await cli('--preset', 'hourly', '--sessions', '0')).stderr, /--sessions: expected a whole number from 1 to 100/);
      assert.match((await cli('--preset', 'hourly', '--interval', 'soon')).stderr, /--interval: expected seconds or a span/);
      const missing = await cli('--preset', 'orders', '--ext', path.join(dir, 'nope.json'));
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /nope\.json: no such file/);
    });
  });

  describe('acs lint: GenieACS idioms that cost RPCs in every session', () => {
    it('warns about {value: Date.now()} on a secret and {path: Date.now()} on instances, naming the line; not about once-set or aged ones', async () => {
      const lintDir = mkdtempSync(path.join(tmpdir(), 'acs-lint-costly-'));
      try {
        for (const d of ['presets', 'provisions']) mkdirSync(path.join(lintDir, d));
        writeFileSync(
          path.join(lintDir, 'provisions', 'creds.js'),
          [
            'const now = Date.now();',
            "declare('Device.ManagementServer.ConnectionRequestUsername', { value: now }, { value: 'cpe' });",
            "declare('Device.ManagementServer.ConnectionRequestPassword', { value: now }, { value: 'x' });",
            "declare('Device.WiFi.AccessPoint.*.Security.KeyPassphrase', null, { value: 'set once' });",
            "declare('Device.WiFi.SSID.*', { path: now });",
            "declare('Device.Hosts.Host.*', { path: now - 3600000 });",
            '',
          ].join('\n'),
        );
        const r = await lint(path.join(lintDir, 'presets'), path.join(lintDir, 'provisions'), { workflowsDir: path.join(lintDir, 'workflows') });
        const warnings = r.lines.filter((l) => l.includes('warning:'));
        assert.equal(warnings.length, 2, r.lines.join('\n'));
        assert.match(warnings[0], /creds\.js:3:\d+: warning: Device\.ManagementServer\.ConnectionRequestPassword: \{value: Date\.now\(\)\} on a secret re-sets it in every session/);
        assert.match(warnings[1], /creds\.js:5:\d+: warning: Device\.WiFi\.SSID\.\*: \{path: Date\.now\(\)\} lists the instances again in every session/);
        assert.equal(r.ok, true, 'warnings only');
      } finally {
        rmSync(lintDir, { recursive: true, force: true });
      }
    });
  });
});
