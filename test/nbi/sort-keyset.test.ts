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
import type { SqlAccess } from '../../src/db/types';

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

/*
 * A filter matching 1,000 devices or more is not sorted whole: the list walks
 * the parameter's index and checks the filter on the way (device-query.ts,
 * FEW). 1,100 devices, written straight into the tables.
 */
describeEachDriver('sorted device list over a filter matching many devices', 'acs_test_nbi_sort_walk', (ctx) => {
  const DEVICES = 1100;
  /** Device i: product class A but every 12th (B), value of P from a spread with ties, none on every 50th. */
  const valueOf = (i: number): string | null => (i % 50 === 49 ? null : `v${String((i * 37) % 300).padStart(3, '0')}`);
  before(async () => {
    await ctx.store.sql.transaction(async (db) => {
      for (let i = 0; i < DEVICES; i++) {
        const pc = i % 12 === 0 ? 'B' : 'A';
        const { insertId } = await db.run('INSERT INTO devices (device_key, manufacturer, oui, product_class, serial_number) VALUES (?, ?, ?, ?, ?)', [`W-${pc}-${i}`, 'Acme', '00AA00', pc, `W${i}`]);
        const v = valueOf(i);
        if (v !== null) await db.run("INSERT INTO device_parameters (device_id, path, kind, value, type) VALUES (?, ?, 'leaf', ?, 'xsd:string')", [insertId, P, v]);
      }
    });
  });

  it('pages like an independent sort, ascending and descending, with a second key', async () => {
    const all = Array.from({ length: DEVICES }, (_, i) => i).filter((i) => i % 12 !== 0);
    assert.ok(all.length >= 1000, 'more devices match than are sorted whole');
    const byValue = (descending: boolean) => (a: number, b: number): number => {
      const [x, y] = [valueOf(a), valueOf(b)];
      if (x === y) return descending ? b - a : a - b;
      if (x === null || y === null) return x === null ? 1 : -1;
      return (x < y ? -1 : 1) * (descending ? -1 : 1);
    };
    const r = compileDeviceQuery({ filter: 'DeviceID.ProductClass = "A"' });
    assert.ok(r.ok);
    for (const [sort, descending] of [[P, false], [`-${P}`, true], [`${P},-DeviceID.SerialNumber`, null]] as const) {
      const order = sortOf(sort);
      const keys: string[] = [];
      let after: Position | null = null;
      do {
        const page = await queryDevicePage(ctx.store.sql, r.compiled, { order, after, limit: 100 });
        keys.push(...page.devices);
        after = page.next === null ? null : cursorOf(cursorText(page.next, order), order);
      } while (after !== null);
      // The second key orders ties of P by serial descending, as text (W99 before W1000).
      const bySerialDescending = (a: number, b: number) => (`W${b}` < `W${a}` ? -1 : 1);
      const want = descending === null
        ? [...all].sort((a, b) => (valueOf(a) === valueOf(b) ? bySerialDescending(a, b) : byValue(false)(a, b)))
        : [...all].sort(byValue(descending));
      assert.deepEqual(keys, want.map((i) => `W-A-${i}`), `sort=${sort}`);
    }
  });

  // MySQL reads the bound and the page in two snapshots; SQLite's statements take turns, so nothing comes between them.
  if (ctx.driver === 'mysql') {
    it('a value moved past the bound between its read and the page\'s does not end part 1 early: every device listed once', async () => {
      const r = compileDeviceQuery({ filter: 'DeviceID.ProductClass = "A"' });
      assert.ok(r.ok);
      let moved = false;
      // The page's SQL runs as it would, but right after the bound's read another connection moves the first values (~30 devices) to the end.
      const sql: SqlAccess = {
        driver: ctx.store.sql.driver,
        transaction: (fn) => ctx.store.sql.transaction(fn),
        autocommit: (fn) => ctx.store.sql.autocommit((db) => fn({
          ...db,
          select: async (text: string, params?: unknown[]) => {
            const rows = await db.select(text, params);
            if (!moved && / AS v FROM /.test(text)) {
              moved = true;
              await ctx.store.sql.autocommit((other) => other.run("UPDATE device_parameters SET value = 'zzz' WHERE path = ? AND value < 'v010'", [P]));
            }
            return rows;
          },
        })),
      };
      const order = sortOf(`${P},-DeviceID.SerialNumber`);
      const keys: string[] = [];
      let after: Position | null = null;
      do {
        const page = await queryDevicePage(sql, r.compiled, { order, after, limit: 100 });
        keys.push(...page.devices);
        after = page.next === null ? null : cursorOf(cursorText(page.next, order), order);
      } while (after !== null);
      assert.ok(moved, 'the bound was read');
      const all = Array.from({ length: DEVICES }, (_, i) => i).filter((i) => i % 12 !== 0).map((i) => `W-A-${i}`);
      assert.equal(new Set(keys).size, keys.length, 'no device twice');
      assert.deepEqual([...keys].sort(), [...all].sort(), 'every device, the moved ones too');
    });
  }
});
