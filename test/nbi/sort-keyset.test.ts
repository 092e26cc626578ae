/**
 * Sorted device lists paged by cursor, on both drivers (issue 10): every
 * device exactly once, in the order an independent sort of the same data
 * gives. A parameter key is the value's first 64 characters, devices without
 * it (or with no value) last in both directions; a list sorted first by a
 * parameter is read in two parts (device-order.ts), so pages cross from the
 * devices with the parameter to those without it.
 */
import { strict as assert } from 'node:assert';
import { compileDeviceQuery, queryDevicePage, type CompiledDeviceQuery } from '../../src/db/device-query';
import type { Position } from '../../src/db/device-order';
import { cursorOf, cursorText, sortOf } from '../../src/nbi/sort';
import { describeEachDriver, newDeviceId, pv, session } from '../helpers/db';

const P = 'Device.DeviceInfo.X_Sort';
const Q = 'Device.DeviceInfo.X_Other';
const LONG = 'v'.repeat(64);

/** Twelve devices: ties, values sharing their first 64 characters, an empty value, no value, no parameter. */
const SPECS: { pc: string; p?: string | null; q?: string; lab?: boolean }[] = [
  { pc: 'B', p: '1.9', q: 'm', lab: true },
  { pc: 'A', p: '1.10', q: 'z' },
  { pc: 'A' },
  { pc: 'B', p: `${LONG}b`, q: 'a', lab: true },
  { pc: 'A', p: '1.9', q: 'a' },
  { pc: 'B', p: null, lab: true },
  { pc: 'A', p: `${LONG}a`, lab: true },
  { pc: 'B', p: '' },
  { pc: 'A', q: 'b', lab: true },
  { pc: 'B', p: '2.0', lab: true },
  { pc: 'A', p: '1.9', q: 'm' },
  { pc: 'B' },
];

interface Fixture {
  key: string;
  /** The order the devices were registered in (their row ids ascend with it). */
  n: number;
  pc: string;
  p: string | null;
  q: string | null;
  lab: boolean;
}

type Value = string | null;

/** The expected order, computed apart from the SQL: parameters (prefix, missing last), columns (NULL low), then the id. */
function expected(fixtures: Fixture[], sort: string, filter: (f: Fixture) => boolean = () => true): string[] {
  const order = sortOf(sort);
  const valueOf = (f: Fixture, field: string): Value => (field === P ? f.p : field === Q ? f.q : f.pc)?.slice(0, 64) ?? null;
  const compare = (a: Value, b: Value, parameter: boolean, descending: boolean): number => {
    if (a === b) return 0;
    if (a === null || b === null) return (a === null ? 1 : -1) * (parameter || descending ? 1 : -1);
    return (a < b ? -1 : 1) * (descending ? -1 : 1);
  };
  const idDescending = order[order.length - 1].descending;
  return fixtures
    .filter(filter)
    .sort((x, y) => {
      for (const k of order) {
        const c = compare(valueOf(x, k.field), valueOf(y, k.field), k.field !== 'DeviceID.ProductClass', k.descending);
        if (c !== 0) return c;
      }
      return (x.n - y.n) * (idDescending ? -1 : 1);
    })
    .map((f) => f.key);
}

describeEachDriver('sorted device list, paged by cursor', 'acs_test_nbi_sort_keyset', (ctx) => {
  const fixtures: Fixture[] = [];

  before(async () => {
    for (const [n, s] of SPECS.entries()) {
      const params = [...(typeof s.p === 'string' ? [pv(P, s.p)] : []), ...(s.q === undefined ? [] : [pv(Q, s.q)])];
      // A name listed without a value: a leaf row whose value is NULL, which sorts as missing.
      const ops = s.p === null ? [{ op: 'names' as const, path: 'Device.DeviceInfo.', nextLevel: true, parameters: [{ Name: P, Writable: false }], time: 1 }] : [];
      const r = session({ deviceId: { ...newDeviceId('K'), ProductClass: s.pc }, params, ops });
      await ctx.store.commitSession(r);
      if (s.lab) await ctx.store.setTags(r.deviceKey, ['lab'], []);
      fixtures.push({ key: r.deviceKey, n, pc: s.pc, p: s.p ?? null, q: s.q ?? null, lab: s.lab === true });
    }
  });

  function compiled(filter?: string): CompiledDeviceQuery {
    const r = compileDeviceQuery({ filter });
    assert.ok(r.ok);
    return r.compiled;
  }

  /** Every page, the cursor passed through its text as a client would; the keys in order and the pages' sizes. */
  async function pages(sort: string, limit: number, filter?: string): Promise<{ keys: string[]; sizes: number[] }> {
    const order = sortOf(sort);
    const q = compiled(filter);
    const keys: string[] = [];
    const sizes: number[] = [];
    let after: Position | null = null;
    do {
      const page = await queryDevicePage(ctx.store.sql, q, { order, after, limit });
      keys.push(...page.devices);
      sizes.push(page.devices.length);
      after = page.next === null ? null : cursorOf(cursorText(page.next, order), order);
    } while (after !== null && sizes.length < 50);
    return { keys, sizes };
  }

  async function assertPaged(sort: string, filter?: string, oracle?: (f: Fixture) => boolean): Promise<void> {
    const want = expected(fixtures, sort, oracle);
    for (const limit of [1, 2, 3, 5, 100]) assert.deepEqual((await pages(sort, limit, filter)).keys, want, `sort=${sort} limit=${limit}`);
  }

  const name = (key: string) => String(fixtures.find((f) => f.key === key)?.n);

  it('lists devices without the parameter (or without its value) last, ascending and descending', async () => {
    const up = (await pages(P, 100)).keys.map(name);
    assert.deepEqual(up, ['7', '1', '0', '4', '10', '9', '3', '6', '2', '5', '8', '11'], 'empty value first; 1.10 < 1.9 as text; values sharing 64 characters tie (by id); then 2, 5 (no value), 8, 11 by id');
    const down = (await pages(`-${P}`, 100)).keys.map(name);
    assert.deepEqual(down, ['6', '3', '9', '10', '4', '0', '1', '7', '11', '8', '5', '2'], 'ties by id, descending too');
  });

  it('pages across the two parts, ties included, every device once', async () => {
    await assertPaged(P);
    await assertPaged(`-${P}`);
    await assertPaged(`{"${P}._value":1}`);
    await assertPaged(`{"${P}":-1}`);
    const { sizes } = await pages(P, 4);
    assert.deepEqual(sizes, [4, 4, 4, 0], 'a full last page has a cursor: one empty page follows');
  });

  it('takes a filter and a second key, in either direction', async () => {
    const lab = (f: Fixture) => f.lab;
    await assertPaged(P, 'Tags.lab', lab);
    await assertPaged(`-${P}`, 'Tags.lab', lab);
    await assertPaged(`${P},-DeviceID.ProductClass`);
    await assertPaged(`-${P},DeviceID.ProductClass`, 'Tags.lab', lab);
    await assertPaged(`${P},-${Q}`);
    await assertPaged(`-${Q},${P}`);
    await assertPaged(`DeviceID.ProductClass,${P}`);
    await assertPaged(`-DeviceID.ProductClass,-${P}`, 'Tags.lab', lab);
  });

  it('lists every device in id order by a parameter none has, either way', async () => {
    const ids = [...fixtures].sort((a, b) => a.n - b.n).map((f) => f.key);
    assert.deepEqual((await pages('Device.X_None', 5)).keys, ids);
    assert.deepEqual((await pages('-Device.X_None', 5)).keys, [...ids].reverse());
  });
});
