import { strict as assert } from 'node:assert';
import { Coalescer, coalescerOf } from '../../../src/db/coalesce';

/** A write that records its batches and finishes only when told to. */
function gatedWrite(): { batches: number[][]; release: (err?: Error) => void; write: (items: number[]) => Promise<void> } {
  const batches: number[][] = [];
  const gates: ((err?: Error) => void)[] = [];
  return {
    batches,
    release: (err) => gates.shift()?.(err),
    write: (items) => {
      batches.push(items);
      return new Promise<void>((resolve, reject) => gates.push((err) => (err ? reject(err) : resolve())));
    },
  };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('Coalescer: concurrent writes in one statement', () => {
  it('sends an item alone at once, and what arrives meanwhile together in the next batch', async () => {
    const w = gatedWrite();
    const c = new Coalescer(w.write);
    const first = c.add([1]);
    assert.deepEqual(w.batches, [[1]], 'no waiting when idle');
    const second = c.add([2, 3]);
    const third = c.add([4]);
    await tick();
    assert.equal(w.batches.length, 1, 'nothing else goes while a batch is out');
    w.release();
    await first;
    await tick();
    assert.deepEqual(w.batches, [[1], [2, 3, 4]]);
    w.release();
    await Promise.all([second, third]);
  });

  it('gathers for delayMs, and idle() settles once that batch and any after it are written', async () => {
    const written: number[][] = [];
    const c = new Coalescer<number>(async (items) => void written.push(items), { delayMs: 30 });
    const first = c.add([1]);
    const second = c.add([2]);
    assert.deepEqual(written, [], 'the first item waits for the delay');
    await c.idle();
    assert.deepEqual(written, [[1, 2]]);
    await Promise.all([first, second]);
    await c.idle();
  });

  it('fails only the callers of the batch that failed; the next batch still goes', async () => {
    const w = gatedWrite();
    const c = new Coalescer(w.write);
    const first = c.add([1]);
    const second = c.add([2]);
    w.release(new Error('database gone'));
    await assert.rejects(first, /database gone/);
    await tick();
    assert.deepEqual(w.batches, [[1], [2]]);
    w.release();
    await second;
  });

  it('cuts batches at its maximum size', async () => {
    const w = gatedWrite();
    const c = new Coalescer(w.write, { max: 2 });
    const all = [c.add([1]), c.add([2, 3, 4, 5, 6])];
    for (let i = 0; i < 4; i++) {
      w.release();
      await tick();
    }
    await Promise.all(all);
    assert.deepEqual(w.batches, [[1], [2, 3], [4, 5], [6]]);
  });

  it('settles a call cut over several batches once all of them are written, and fails it if one failed', async () => {
    const w = gatedWrite();
    const c = new Coalescer(w.write, { max: 2 });
    let settled = false;
    const first = c.add([1]);
    const spread = c.add([2, 3, 4]).finally(() => (settled = true));
    spread.catch(() => undefined);
    w.release();
    await first;
    await tick();
    assert.deepEqual(w.batches, [[1], [2, 3]]);
    w.release(new Error('database gone'));
    await tick();
    assert.equal(settled, false, 'its last item is not written yet');
    assert.deepEqual(w.batches, [[1], [2, 3], [4]]);
    w.release();
    await assert.rejects(spread, /database gone/);
    assert.equal(settled, true);
  });

  it('with a delay, gathers what arrives within it into the first batch', async () => {
    const w = gatedWrite();
    const c = new Coalescer(w.write, { delayMs: 30 });
    const all = [c.add([1])];
    await tick();
    assert.deepEqual(w.batches, [], 'waits out the delay');
    all.push(c.add([2]));
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.deepEqual(w.batches, [[1, 2]]);
    w.release();
    await Promise.all(all);
  });

  it('with a delay, sends a full batch at once, and hurry() ends the delay of what waits and of what comes after', async () => {
    const w = gatedWrite();
    const c = new Coalescer(w.write, { delayMs: 10_000, max: 2 });
    const all = [c.add([1, 2, 3])];
    await tick();
    assert.deepEqual(w.batches, [[1, 2]], 'two waiting: a full batch, at once');
    w.release();
    await tick();
    assert.deepEqual(w.batches, [[1, 2]], 'one left: it waits out the delay');
    c.hurry();
    await tick();
    assert.deepEqual(w.batches, [[1, 2], [3]]);
    w.release();
    all.push(c.add([4]));
    await tick();
    assert.deepEqual(w.batches, [[1, 2], [3], [4]], 'hurried: no delay any more');
    w.release();
    await Promise.all(all);
  });

  it('gives one coalescer per owner and name', () => {
    const a = {};
    const write = async (): Promise<void> => undefined;
    assert.equal(coalescerOf(a, 'x', write), coalescerOf(a, 'x', write));
    assert.notEqual(coalescerOf(a, 'x', write), coalescerOf(a, 'y', write));
    assert.notEqual(coalescerOf(a, 'x', write), coalescerOf({}, 'x', write));
  });
});
