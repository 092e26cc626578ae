/**
 * `acs task`: the command line's arguments become the same task bodies the
 * REST API takes; a bad command line is refused naming the argument.
 */
import { strict as assert } from 'node:assert';
import { parseTaskArgs } from '../../src/tasks/cli';

describe('acs task: arguments', () => {
  it('turns each form of arguments into a GenieACS-shaped task body', () => {
    const cases: [string[], Record<string, unknown>][] = [
      [['D', 'getParameterValues', 'Device.A', 'Device.B'], { name: 'getParameterValues', parameterNames: ['Device.A', 'Device.B'] }],
      [['D', 'setParameterValues', 'Device.X=600', 'Device.Y=a=b c'], { name: 'setParameterValues', parameterValues: [['Device.X', '600'], ['Device.Y', 'a=b c']] }],
      [['D', 'refreshObject', 'Device.WiFi.'], { name: 'refreshObject', objectName: 'Device.WiFi.' }],
      [['D', 'provision', 'set-ssid', 'guest', '42'], { name: 'provision', provision: 'set-ssid', args: ['guest', '42'] }],
      [['D', 'scheduleInform', 'delaySeconds=30', 'commandKey=abc'], { name: 'scheduleInform', delaySeconds: 30, commandKey: 'abc' }],
      [['D', '--json', '{"name":"reboot"}'], { name: 'reboot' }],
    ];
    for (const [args, body] of cases) assert.deepEqual(parseTaskArgs(args).body, body, args.join(' '));
  });

  it('reads the options', () => {
    const p = parseTaskArgs(['D', 'reboot', '--connection-request', '--timeout', '5000', '--due', '2030-01-01T00:00:00Z', '--expiry', '1900000000000']);
    assert.equal(p.device, 'D');
    assert.equal(p.connectionRequest, true);
    assert.equal(p.timeoutMs, 5000);
    assert.equal(p.due, Date.parse('2030-01-01T00:00:00Z'));
    assert.equal(p.expiry, 1_900_000_000_000);
    assert.equal(p.idempotencyKey, undefined);
    assert.equal(parseTaskArgs(['D', 'reboot', '--idempotency-key', 'nightly-42']).idempotencyKey, 'nightly-42');
    assert.throws(() => parseTaskArgs(['D', 'reboot', '--idempotency-key']), /--idempotency-key needs a value/);
  });

  it('refuses a bad command line naming the argument', () => {
    const cases: [string[], RegExp][] = [
      [[], /device id is missing/],
      [['D'], /task type is missing/],
      [['D', 'setParameterValues', 'novalue'], /"novalue": expected path=value/],
      [['D', 'reboot', '--timeout'], /--timeout needs a value/],
      [['D', 'reboot', '--due', 'someday'], /--due someday/],
      [['D', 'reboot', '--force'], /unknown option --force/],
      [['D', '--json', '{x'], /--json is not JSON/],
    ];
    for (const [args, reason] of cases) assert.throws(() => parseTaskArgs(args), reason, args.join(' '));
  });
});
