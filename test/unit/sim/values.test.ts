import { strict as assert } from 'node:assert';
import type { XsdType } from '../../../src/cwmp/soap/types';
import { checkValue, defaultValue, isDateTime } from '../../../src/sim/model';

const good = (type: XsdType, v: string): string => {
  const r = checkValue(type, v);
  assert.ok(r.ok, `${type} ${v}: ${r.ok ? '' : r.reason}`);
  return r.value;
};
const bad = (type: XsdType, v: string): void => assert.equal(checkValue(type, v).ok, false, `${type} ${JSON.stringify(v)}`);

describe('sim/model: value rules', () => {
  it('integers: ranges of each type, canonical form', () => {
    assert.equal(good('xsd:int', '-2147483648'), '-2147483648');
    bad('xsd:int', '2147483648');
    assert.equal(good('xsd:unsignedInt', '+007'), '7');
    bad('xsd:unsignedInt', '-1');
    good('xsd:unsignedInt', '4294967295');
    good('xsd:long', '-9223372036854775808');
    bad('xsd:long', '9223372036854775808');
    good('xsd:unsignedLong', '18446744073709551615');
    bad('xsd:unsignedLong', '18446744073709551616');
    bad('xsd:int', '');
    bad('xsd:int', '1e3');
    bad('xsd:int', '0x10');
  });

  it('booleans: 0, 1, true, false (stored as true/false)', () => {
    assert.equal(good('xsd:boolean', '1'), 'true');
    assert.equal(good('xsd:boolean', 'False'), 'false');
    bad('xsd:boolean', 'yes');
    bad('xsd:boolean', '');
  });

  it('dateTime: xsd:dateTime with leap years, offsets, fractions; the Unknown Time', () => {
    assert.ok(isDateTime('0001-01-01T00:00:00Z'));
    assert.ok(isDateTime('2024-02-29T23:59:59.999+05:30'));
    assert.ok(isDateTime('2023-04-27T15:40:50'), 'no time zone');
    assert.ok(isDateTime('2000-02-29T00:00:00Z'));
    assert.ok(!isDateTime('1900-02-29T00:00:00Z'));
    assert.ok(!isDateTime('2023-13-01T00:00:00Z'));
    assert.ok(!isDateTime('2023-01-01 00:00:00'));
    assert.ok(!isDateTime('2023-01-01T25:00:00Z'));
    assert.ok(!isDateTime(''));
  });

  it('base64 and hexBinary, sized in bytes', () => {
    good('xsd:base64', 'aGVsbG8=');
    bad('xsd:base64', 'aGVsbG8');
    bad('xsd:base64', 'a$==');
    assert.equal(checkValue('xsd:base64', 'aGVsbG8=', { maxLength: 5 }).ok, true, '5 bytes');
    assert.equal(checkValue('xsd:base64', 'aGVsbG8h', { maxLength: 5 }).ok, false, '6 bytes');
    good('xsd:hexBinary', '0aFF');
    bad('xsd:hexBinary', 'abc');
    assert.equal(checkValue('xsd:hexBinary', '0011', { maxLength: 1 }).ok, false);
  });

  it('strings: enumerations, sizes, patterns and lists', () => {
    const c = { enumeration: ['A', 'B'] };
    assert.equal(checkValue('xsd:string', 'A', c).ok, true);
    assert.equal(checkValue('xsd:string', 'C', c).ok, false);
    assert.equal(checkValue('xsd:string', 'abcd', { maxLength: 3 }).ok, false);
    assert.equal(checkValue('xsd:string', 'x1', { patterns: [/^(?:x\d)$/] }).ok, true);
    assert.equal(checkValue('xsd:string', 'y1', { patterns: [/^(?:x\d)$/] }).ok, false);
    const list = { enumeration: ['a', 'b'], list: { maxItems: 2 } };
    assert.equal(checkValue('xsd:string', 'a,b', list).ok, true);
    assert.equal(checkValue('xsd:string', 'a,b,a', list).ok, false);
    assert.equal(checkValue('xsd:string', 'a,c', list).ok, false);
    assert.equal(checkValue('xsd:string', '', list).ok, true);
    assert.equal(checkValue('xsd:unsignedInt', '5', { ranges: [{ min: '1', max: '3' }, { min: '5', max: '5' }] }).ok, true);
    assert.equal(checkValue('xsd:unsignedInt', '4', { ranges: [{ min: '1', max: '3' }, { min: '5', max: '5' }] }).ok, false);
    assert.equal(checkValue('xsd:unsignedInt', '7', { ranges: [{ min: '1', max: '9', step: '2' }] }).ok, true);
    assert.equal(checkValue('xsd:unsignedInt', '6', { ranges: [{ min: '1', max: '9', step: '2' }] }).ok, false);
  });

  it('defaults: false, 0 or the range minimum, the Unknown Time, the first enumeration value, a matching string', () => {
    assert.equal(defaultValue('xsd:boolean'), 'false');
    assert.equal(defaultValue('xsd:unsignedInt'), '0');
    assert.equal(defaultValue('xsd:unsignedInt', { ranges: [{ min: '30' }] }), '30');
    assert.equal(defaultValue('xsd:int', { ranges: [{ min: '-10', max: '-2' }] }), '-10');
    assert.equal(defaultValue('xsd:int', { ranges: [{ min: '-10', max: '10' }] }), '0');
    assert.equal(defaultValue('xsd:dateTime'), '0001-01-01T00:00:00Z');
    assert.equal(defaultValue('xsd:string', { enumeration: ['Up', 'Down'] }), 'Up');
    assert.equal(defaultValue('xsd:string', { patterns: [/^(?:[0-9A-F]{6})$/] }), '000000');
    assert.equal(defaultValue('xsd:string', { patterns: [/^(?:)$/, /^(?:x)$/] }), '');
    assert.equal(defaultValue('xsd:string'), '');
  });
});
