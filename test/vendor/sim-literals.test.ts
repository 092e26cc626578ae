/**
 * The simulator quirks vendor profiles work around: a CPE that takes
 * booleans only as 1/0 (spv-boolean-digits) and dateTimes only in whole
 * seconds without a zone (spv-datetime-plain). Without the quirk, every
 * lexical form XML Schema allows is taken, as before.
 */
import { strict as assert } from 'node:assert';
import type { SetParameterValues, XsdType } from '../../src/cwmp/soap/types';
import { parseQuirks, rpcOptionsOf, withWireBooleans } from '../../src/sim/quirks';
import { eg8145v5, fault, gpv, newDevice, ok } from '../unit/sim/helpers';

const ENABLE = 'InternetGatewayDevice.Time.Enable';
const WHEN = 'InternetGatewayDevice.ManagementServer.PeriodicInformTime';

function spv(name: string, value: string, type: XsdType): SetParameterValues {
  return { method: 'SetParameterValues', ParameterList: [{ Name: name, Value: value, type }], ParameterKey: 'k' };
}

describe('sim quirks spv-boolean-digits and spv-datetime-plain', function () {
  const digits = rpcOptionsOf(parseQuirks('spv-boolean-digits'));
  const plain = rpcOptionsOf(parseQuirks('spv-datetime-plain'));

  it('spv-boolean-digits: "true" and "false" are refused with 9007 naming the parameter, 1 and 0 are taken', function () {
    const device = newDevice(eg8145v5());
    for (const v of ['true', 'false']) {
      const f = fault(device, spv(ENABLE, v, 'xsd:boolean'), 9003, digits);
      assert.deepEqual(f.SetParameterValuesFault?.map((x) => [x.ParameterName, x.FaultCode]), [[ENABLE, 9007]]);
    }
    ok(device, spv(ENABLE, '1', 'xsd:boolean'), 'SetParameterValuesResponse', digits);
    assert.equal(gpv(device, ENABLE), 'true');
    ok(device, spv(ENABLE, '0', 'xsd:boolean'), 'SetParameterValuesResponse', digits);
    assert.equal(gpv(device, ENABLE), 'false');
  });

  it('spv-datetime-plain: a fraction or a zone is refused with 9007; whole seconds without a zone are taken', function () {
    const device = newDevice(eg8145v5());
    for (const v of ['2026-12-05T10:00:00.123Z', '2026-12-05T10:00:00Z', '2026-12-05T10:00:00+01:00', '2026-12-05T10:00:00.5']) {
      const f = fault(device, spv(WHEN, v, 'xsd:dateTime'), 9003, plain);
      assert.deepEqual(f.SetParameterValuesFault?.map((x) => x.FaultCode), [9007], v);
    }
    ok(device, spv(WHEN, '2026-12-05T10:00:00', 'xsd:dateTime'), 'SetParameterValuesResponse', plain);
    assert.equal(gpv(device, WHEN), '2026-12-05T10:00:00');
  });

  it('without the quirks, every form XML Schema allows is taken (unchanged behaviour)', function () {
    const device = newDevice(eg8145v5());
    for (const v of ['true', '1', 'false', '0']) ok(device, spv(ENABLE, v, 'xsd:boolean'), 'SetParameterValuesResponse');
    for (const v of ['2026-12-05T10:00:00.123Z', '2026-12-05T10:00:00']) ok(device, spv(WHEN, v, 'xsd:dateTime'), 'SetParameterValuesResponse');
  });

  it('the quirks only touch their own type: a boolean quirk leaves dateTimes alone and the other way round', function () {
    const device = newDevice(eg8145v5());
    ok(device, spv(WHEN, '2026-12-05T10:00:00.123Z', 'xsd:dateTime'), 'SetParameterValuesResponse', digits);
    ok(device, spv(ENABLE, 'true', 'xsd:boolean'), 'SetParameterValuesResponse', plain);
  });
});

describe('the simulated CPE sees booleans as the ACS wrote them (withWireBooleans)', function () {
  const spvXml = (value: string): string =>
    `<soap-env:Envelope><soap-env:Body><cwmp:SetParameterValues><ParameterList soap-enc:arrayType="cwmp:ParameterValueStruct[2]">` +
    `<ParameterValueStruct><Name>${WHEN}</Name><Value xsi:type="xsd:dateTime">2026-12-05T10:00:00</Value></ParameterValueStruct>` +
    `<ParameterValueStruct><Name>${ENABLE}</Name><Value xsi:type="xsd:boolean"> ${value} </Value></ParameterValueStruct>` +
    `</ParameterList><ParameterKey>k</ParameterKey></cwmp:SetParameterValues></soap-env:Body></soap-env:Envelope>`;
  const decoded = (value: string): SetParameterValues => ({
    method: 'SetParameterValues', ParameterKey: 'k',
    ParameterList: [{ Name: WHEN, Value: '2026-12-05T10:00:00', type: 'xsd:dateTime' }, { Name: ENABLE, Value: value, type: 'xsd:boolean' }],
  });

  it('a "1" the decoder made "true" is "1" again; "true" stays "true"', function () {
    assert.equal(withWireBooleans(decoded('true'), spvXml('1')).ParameterList[1].Value, '1');
    assert.equal(withWireBooleans(decoded('false'), spvXml('0')).ParameterList[1].Value, '0');
    assert.equal(withWireBooleans(decoded('true'), spvXml('true')).ParameterList[1].Value, 'true');
  });

  it('other messages, and lists that do not line up, are left as they are', function () {
    const gpv = { method: 'GetParameterValues', ParameterNames: [ENABLE] };
    assert.equal(withWireBooleans(gpv, spvXml('1')), gpv);
    const one = { ...decoded('true'), ParameterList: [decoded('true').ParameterList[1]] };
    assert.equal(withWireBooleans(one, spvXml('1')), one);
  });
});
