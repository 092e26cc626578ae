/** `acs start --processes N|auto [--workers M]`: the command line read, and the children planned from it. */
import { strict as assert } from 'node:assert';
import { restartDelay } from '../../../src/roles/cluster';
import { planProcesses, processCounts, type ProcessCounts } from '../../../src/roles/processes';

const counts = (processes: string, workers?: string): ProcessCounts => processCounts(processes, workers) ?? assert.fail('--processes was given');

describe('acs start --processes: the plan', () => {
  it('is absent without --processes (one process, as before)', () => {
    assert.equal(processCounts(undefined, undefined), null);
  });

  it('runs N front ends, half as many workers (at least one), one REST API process and one webhooks process with role all', () => {
    assert.deepEqual(planProcesses('all', { processes: 2, workers: null }), ['cwmp', 'cwmp', 'worker', 'nbi', 'webhooks']);
    assert.deepEqual(planProcesses('all', { processes: 1, workers: null }), ['cwmp', 'worker', 'nbi', 'webhooks']);
    assert.deepEqual(planProcesses('all', { processes: 5, workers: null }).filter((r) => r === 'worker').length, 2);
  });

  it('takes --workers M, 0 included (workers elsewhere, delivering the webhooks there: no webhooks process)', () => {
    assert.deepEqual(planProcesses('all', counts('2', '3')), ['cwmp', 'cwmp', 'worker', 'worker', 'worker', 'nbi', 'webhooks']);
    assert.deepEqual(planProcesses('all', counts('1', '0')), ['cwmp', 'nbi']);
  });

  it('auto: one front end per core', () => {
    const plan = planProcesses('all', { processes: 'auto', workers: null }, 16);
    assert.equal(plan.filter((r) => r === 'cwmp').length, 16);
    assert.equal(plan.filter((r) => r === 'worker').length, 8);
    assert.equal(plan.filter((r) => r === 'nbi').length, 1);
    assert.equal(plan.filter((r) => r === 'webhooks').length, 1);
  });

  it('runs N of the role with role cwmp or worker', () => {
    assert.deepEqual(planProcesses('cwmp', { processes: 3, workers: null }), ['cwmp', 'cwmp', 'cwmp']);
    assert.deepEqual(planProcesses('worker', { processes: 2, workers: null }), ['worker', 'worker']);
  });

  for (const [processes, workers, message] of [
    ['0', undefined, /^--processes 0: expected a whole number from 1 to 256, or auto$/],
    ['abc', undefined, /^--processes abc: expected a whole number/],
    ['-1', undefined, /^--processes -1: expected/],
    ['1.5', undefined, /^--processes 1\.5: expected/],
    ['100000', undefined, /^--processes 100000: expected a whole number from 1 to 256/],
    ['2', 'x', /^--workers x: expected a whole number from 0 to 256$/],
    [undefined, '2', /^--workers needs --processes/],
  ] as const) {
    it(`refuses --processes ${processes} --workers ${workers} with a clear error`, () => {
      assert.throws(() => processCounts(processes, workers), (err: Error & { code?: string }) => message.test(err.message) && err.code === 'ACS_ERR_CONFIG');
    });
  }

  it('refuses --processes with roles that run once per machine, and --workers beside a single role', () => {
    assert.throws(() => planProcesses('nbi', { processes: 2, workers: null }), /--processes with --role nbi: only roles all, cwmp and worker/);
    assert.throws(() => planProcesses('webhooks', { processes: 2, workers: null }), /--processes with --role webhooks/);
    assert.throws(() => planProcesses('cwmp', { processes: 2, workers: 1 }), /--workers with --role cwmp: only role all/);
  });
});

describe('acs start --processes: restarts of a dead child', () => {
  it('wait 1 s, doubling while the child keeps dying young, up to a minute', () => {
    const waits: number[] = [];
    let current = 1_000;
    for (let i = 0; i < 9; i++) {
      const { delayMs, nextMs } = restartDelay(current, 2_000);
      waits.push(delayMs);
      current = nextMs;
    }
    assert.deepEqual(waits, [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);
  });

  it('start from 1 s again after a child ran a minute', () => {
    assert.deepEqual(restartDelay(32_000, 60_000), { delayMs: 1_000, nextMs: 2_000 });
    assert.deepEqual(restartDelay(32_000, 59_999), { delayMs: 32_000, nextMs: 60_000 });
  });
});
