import { strict as assert } from 'node:assert';
import { runSim } from '../../../src/sim/cli';
import { loadModel } from '../../../src/sim/load-model';
import { percentile } from '../../../src/sim/stats';

describe('acs sim command line', function () {
  it('names a missing model file, an unknown quirk and a bad number', async () => {
    assert.throws(() => loadModel('/no/such.csv'), /--model \/no\/such.csv: no such file/);
    await assert.rejects(runSim(['--acs', 'http://127.0.0.1:1/']), /--acs and --model are required/);
    await assert.rejects(runSim(['--acs', 'http://127.0.0.1:1/', '--model', 'tr098', '--devices', 'many']), /--devices many: expected a positive number/);
    await assert.rejects(runSim(['--acs', 'http://127.0.0.1:1/', '--model', 'tr098', '--quirks', 'bogus']), /unknown quirk "bogus"/);
    await assert.rejects(runSim(['--acs', 'http://127.0.0.1:1/', '--model', 'tr098', '--disable-methods', 'Frob']), /unknown CPE method Frob/);
  });

  it('computes percentiles', function () {
    assert.equal(percentile([5, 1, 3, 2, 4], 50), 3);
    assert.equal(percentile([5, 1, 3, 2, 4], 100), 5);
    assert.ok(Number.isNaN(percentile([], 50)));
  });
});
