/**
 * Issue 11 §1: GenieACS-style extensions run unchanged next to ours.
 * `ext('file', 'fn', ...args)` calls `exports.fn(args, callback)` with the
 * arguments as strings; `ext('file.fn', ...args)` and `ext('file', ...args)`
 * (the module's own function) keep their meaning.
 */
import { strict as assert } from 'node:assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ExtensionHost, type ExtOutcome } from '../../src/engine/ext';

const FIXTURES: Record<string, string> = {
  // As GenieACS's docs write them.
  'ext-sample.js': `
    exports.latlong = function (args, callback) {
      callback(null, { args, types: args.map((a) => typeof a) });
    };
    exports.later = (args, callback) => setTimeout(() => callback(null, args[0] + '!'), 10);
    exports.fails = (args, callback) => callback(new Error('no such customer ' + args[0]));
    exports.failsWithText = (args, callback) => callback('service unavailable');
    exports.throws = (args, callback) => { throw new TypeError('bad input'); };
    exports.twice = (args, callback) => { callback(null, 'first'); callback(null, 'second'); };
    exports.asyncValue = async (args) => ({ n: args.length });
    exports.asyncCallback = async (args, callback) => { await null; callback(null, 'via callback'); };
    exports.asyncRejects = async () => { throw new Error('database down'); };
    exports.nothing = (args, callback) => callback(null);
    exports.date = (args, callback) => callback(null, new Date(0));
    exports.silent = () => undefined;
  `,
  // Ours: a module function plus a named export.
  'orders.js': `
    module.exports = (serial, n) => ({ serial, n });
    module.exports.lookup = (serial) => ({ serial, plan: 'gold' });
  `,
};

function value(outcome: ExtOutcome): unknown {
  assert.ok(outcome.ok, `expected a value, got ${JSON.stringify(outcome)}`);
  return outcome.value;
}

function fault(outcome: ExtOutcome, code: string, pattern: RegExp): void {
  assert.ok(!outcome.ok, `expected ${code}, got ${JSON.stringify(outcome)}`);
  assert.equal(outcome.code, code);
  assert.match(outcome.message, pattern);
}

describe('engine/ext: GenieACS-style extensions (issue 11)', function () {
  let dir: string;
  let host: ExtensionHost;

  before(async function () {
    dir = await mkdtemp(path.join(tmpdir(), 'acs-ext-genie-'));
    for (const [name, text] of Object.entries(FIXTURES)) await writeFile(path.join(dir, name), text);
    host = new ExtensionHost({ dir, timeoutMs: 500, livenessMs: 100 });
  });
  after(async function () {
    await host.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('ext("file", "fn", ...args): fn(args, callback) with the arguments as strings', async function () {
    const got = value(await host.call('ext-sample', ['latlong', 'arg1', 2, true, null]));
    assert.deepEqual(got, { args: ['arg1', '2', 'true', 'null'], types: ['string', 'string', 'string', 'string'] });
    assert.deepEqual(value(await host.call('ext-sample', ['latlong'])), { args: [], types: [] });
    assert.equal(value(await host.call('ext-sample', ['later', 'hi'])), 'hi!');
  });

  it('callback(error) is an ext.error with its message; so is a throw', async function () {
    fault(await host.call('ext-sample', ['fails', 'SN1']), 'ext.error', /^no such customer SN1$/);
    fault(await host.call('ext-sample', ['failsWithText']), 'ext.error', /service unavailable/);
    fault(await host.call('ext-sample', ['throws']), 'ext.error', /^bad input$/);
  });

  it('an async function may answer by its promise or by the callback', async function () {
    assert.deepEqual(value(await host.call('ext-sample', ['asyncValue', 'a', 'b'])), { n: 2 });
    assert.equal(value(await host.call('ext-sample', ['asyncCallback'])), 'via callback');
    fault(await host.call('ext-sample', ['asyncRejects']), 'ext.error', /database down/);
  });

  it('the first callback wins; no result is null; a result must still be JSON data', async function () {
    assert.equal(value(await host.call('ext-sample', ['twice'])), 'first');
    assert.equal(value(await host.call('ext-sample', ['nothing'])), null);
    fault(await host.call('ext-sample', ['date']), 'ext.error', /extension 'ext-sample\.date' returned something that is not JSON data: result is a Date/);
  });

  it('a function that never calls back times out', async function () {
    fault(await host.call('ext-sample', ['silent']), 'ext.timeout', /extension 'ext-sample' did not answer within 500 ms/);
  });

  it('ours keep their meaning: "file.fn" gets the arguments as they are, "file" alone the module\'s function', async function () {
    assert.deepEqual(value(await host.call('orders.lookup', ['SN1'])), { serial: 'SN1', plan: 'gold' });
    assert.deepEqual(value(await host.call('orders', ['SN1', 3])), { serial: 'SN1', n: 3 }, 'SN1 names no function: the module is called');
    assert.deepEqual(value(await host.call('orders', [7, 3])), { serial: 7, n: 3 });
  });

  it('a first argument naming an exported function selects GenieACS\'s form', async function () {
    // lookup(args, callback) never calls back (it is one of ours): the form is chosen by the module, as documented.
    fault(await host.call('orders', ['lookup', 'SN1']), 'ext.timeout', /did not answer/);
  });
});
