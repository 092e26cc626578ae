/**
 * `path = "text"` searches through the (path, value_prefix) index (migration
 * 1766200000000): the index holds the first 64 characters of a value, so a
 * long value, one past the prefix, non-ASCII text, case and trailing spaces
 * must still be found exactly (the prefix only widens; the evaluator decides).
 */
import assert from 'node:assert/strict';
import { compileDeviceQuery, findDevices } from '../../../src/db/device-query';
import { describeEachDriver } from '../../helpers/db';

const LONG = `${'x'.repeat(63)}é-and-more-after-the-prefix`;
const VALUES: Record<string, string | null> = {
  long: LONG,
  longOther: `${'x'.repeat(63)}é-but-another-ending`,
  short: 'abc',
  upper: 'ABC',
  spaced: 'abc ',
  emoji: '😀'.repeat(70),
  none: null,
};
const PATH = 'Device.X_Vendor.Note';

describeEachDriver('device query by value (prefix index)', 'acs_test_device_query_value', (ctx) => {
  before(async () => {
    await ctx.store.sql.transaction(async (db) => {
      for (const [name, value] of Object.entries(VALUES)) {
        const { insertId } = await db.run("INSERT INTO devices (device_key, manufacturer, oui, product_class, serial_number) VALUES (?, 'Acme', '00D09E', 'PC', ?)", [`00D09E-PC-${name}`, name]);
        await db.run("INSERT INTO device_parameters (device_id, path, kind, value, type) VALUES (?, ?, 'leaf', ?, 'xsd:string')", [insertId, PATH, value]);
      }
    });
  });

  const found = async (text: string): Promise<string[]> => (await findDevices(ctx.store.sql, { filter: `${PATH} = ${JSON.stringify(text)}` })).map((k) => k.slice('00D09E-PC-'.length)).sort();

  it('finds values longer than the prefix by the whole value', async () => {
    assert.deepEqual(await found(LONG), ['long']);
    assert.deepEqual(await found(`${'x'.repeat(63)}é`), [], 'the prefix alone is not the value');
    assert.deepEqual(await found('😀'.repeat(70)), ['emoji'], 'characters past the BMP count as one');
  });

  it('compares exactly: case and trailing spaces matter', async () => {
    assert.deepEqual(await found('abc'), ['short']);
    assert.deepEqual(await found('ABC'), ['upper']);
    assert.deepEqual(await found('abc '), ['spaced']);
    assert.deepEqual(await found('zzz'), []);
  });

  it('pushes the comparison down as an index read (no typed widening for a text that is no number)', () => {
    const r = compileDeviceQuery({ filter: `${PATH} = "abc"` });
    assert.ok(r.ok);
    assert.match(r.compiled.where.sql, /p\.value_prefix = SUBSTR\(\?, 1, 64\)/);
    assert.doesNotMatch(r.compiled.where.sql, /p\.type/);
  });
});
