import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { lintWorkflows } from '../../src/lint/workflows';
import { formatWorkflowError, loadWorkflowsDir, parseWorkflow } from '../../src/workflows/load';
import { parseDuration } from '../../src/workflows/duration';
import { renderCondition, renderString, type TemplateScope } from '../../src/workflows/template';
import { SHIPPED } from './helpers';

function errorsOf(text: string): string[] {
  const r = parseWorkflow('wf/t.yaml', text);
  assert.equal(r.ok, false, 'expected errors');
  return r.ok ? [] : r.errors.map(formatWorkflowError);
}

describe('workflows: files are checked at load with file:line:column errors', () => {
  it('loads every shipped workflow without an error', () => {
    const { workflows, errors } = loadWorkflowsDir(SHIPPED);
    assert.deepEqual(errors.map(formatWorkflowError), []);
    assert.deepEqual(workflows.map((w) => w.name).sort(), ['config-backup', 'config-restore', 'download-diagnostics', 'firmware-upgrade', 'ipping', 'nslookup', 'traceroute', 'upload-diagnostics']);
  });

  it('a step with no kind, an unknown task name and an unknown field are placed at their lines', () => {
    const errors = errorsOf(['steps:', '  - name: a', '    task: { name: reboott }', '  - name: b', '    frobnicate: 1', '  - name: c', '    wait: { event: "1 BOOT", timeout: 1m }', '    colour: red'].join('\n'));
    assert.deepEqual(errors, [
      'wf/t.yaml:3:19: unknown task name "reboott" (getParameterNames, getParameterValues, setParameterValues, getParameterAttributes, setParameterAttributes, refreshObject, addObject, deleteObject, reboot, factoryReset, download, upload, scheduleInform, scheduleDownload, cancelTransfer, changeDUState, getQueuedTransfers, getAllQueuedTransfers, getRPCMethods, provision)',
      'wf/t.yaml:4:5: a step needs exactly one of task, wait, switch, fail, output (found none)',
      'wf/t.yaml:8:13: unknown field "colour" of a wait step',
    ]);
  });

  it('a wait without a timeout, a bad duration and a condition that does not compile are errors', () => {
    const errors = errorsOf(['steps:', '  - wait: { event: "1 BOOT" }', '  - wait: { request: TransferComplete, timeout: soon }', "  - wait: { condition: 'Device.X == 1', timeout: 1h }"].join('\n'));
    assert.equal(errors.length, 3, errors.join('\n'));
    assert.match(errors[0], /^wf\/t\.yaml:2:11: timeout is required/);
    assert.match(errors[1], /^wf\/t\.yaml:3:49: timeout must be a duration/);
    assert.match(errors[2], /^wf\/t\.yaml:4:24: condition: '==' is not an operator/);
  });

  it('goto to no step, an undeclared arg or step in a template, a duplicate step name are errors', () => {
    const errors = errorsOf([
      'args:', '  url: { required: true }',
      'steps:',
      '  - name: dl', '    task: { name: download, fileType: "1 Firmware Upgrade Image", url: "{{args.ur}}" }',
      '  - name: dl', '    switch:', '      - when: \'"{{steps.nope.status}}" = "done"\'', '        goto: missing',
    ].join('\n'));
    assert.deepEqual(errors, [
      'wf/t.yaml:5:72: template "{{args.ur}}" names no declared arg "ur"',
      'wf/t.yaml:6:11: step name "dl" is used twice',
      'wf/t.yaml:8:15: template "{{steps.nope.status}}" names no declared step "nope"',
      'wf/t.yaml:9:15: goto names no step of steps: "missing"',
    ]);
  });

  it('a compensate step may not reuse a main step\'s name (their tasks and outputs are kept by name)', () => {
    const errors = errorsOf([
      'steps:',
      '  - name: reboot', '    task: { name: reboot }',
      'compensate:',
      '  - name: reboot', '    task: { name: factoryReset }',
    ].join('\n'));
    assert.deepEqual(errors, ['wf/t.yaml:5:11: step name "reboot" is used in steps too']);
  });

  it('YAML syntax errors and a name that differs from the file are reported', () => {
    assert.match(errorsOf('steps: [\n')[0], /^wf\/t\.yaml:\d+:\d+: YAML: /);
    assert.deepEqual(errorsOf('name: other\nsteps:\n  - fail: x\n'), ['wf/t.yaml:1:7: name "other" differs from the file\'s name "t"']);
  });

  it('acs lint reports a bad workflow file of the folder (and counts the good ones)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wf-lint-'));
    writeFileSync(path.join(dir, 'good.yaml'), 'steps:\n  - fail: "always"\n');
    writeFileSync(path.join(dir, 'bad.yaml'), 'steps:\n  - wait: { event: "8 DIAGNOSTICS COMPLETE" }\n');
    const r = lintWorkflows(dir);
    assert.equal(r.errors, 1);
    assert.equal(r.workflows, 1);
    assert.match(r.lines[0], /bad\.yaml:2:11: timeout is required/);
  });

  it('durations: ms, s, m, h, d or a number of ms; nothing else', () => {
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('1.5s'), 1500);
    assert.equal(parseDuration('2h'), 7_200_000);
    assert.equal(parseDuration(250), 250);
    assert.equal(parseDuration('10 minutes'), null);
    assert.equal(parseDuration(-1), null);
  });
});

describe('workflows: templates', () => {
  const scope: TemplateScope = {
    args: { host: 'a"b', n: 3 },
    vars: { base: 'Device.IP.Diagnostics.IPPing.' },
    steps: { read: { result: { x: [{ v: 'deep' }] } } },
    device: { id: 'dev', root: 'Device' },
    run: { id: 'r1' },
    parameter: (p) => (p === 'Device.IP.Diagnostics.IPPing.DiagnosticsState' ? 'Complete' : null),
    parametersUnder: (p) => ({ prefix: p }),
  };

  it('a lone template keeps its value; nested templates resolve inside out', () => {
    assert.equal(renderString('{{args.n}}', scope), 3);
    assert.equal(renderString('n={{args.n}}', scope), 'n=3');
    assert.equal(renderString('{{steps.read.result.x.0.v}}', scope), 'deep');
    assert.equal(renderString('{{param:{{vars.base}}DiagnosticsState}}', scope), 'Complete');
    assert.deepEqual(renderString('{{params:{{vars.base}}}}', scope), { prefix: 'Device.IP.Diagnostics.IPPing.' });
  });

  it('a substituted value is never parsed again, and is escaped inside a condition', () => {
    const s: TemplateScope = { ...scope, args: { evil: '{{run.id}}' } };
    assert.equal(renderString('x{{args.evil}}', s), 'x{{run.id}}');
    assert.equal(renderCondition('Device.X = "{{args.host}}"', scope), 'Device.X = "a\\"b"');
  });
});
