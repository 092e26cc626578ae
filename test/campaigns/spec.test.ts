/**
 * A campaign's definition: what a body must hold (each refusal names its
 * field), how stages cut a selection, and maintenance windows in the
 * window's zone or the device's own.
 */
import assert from 'node:assert/strict';
import { inlineWorkflow } from '../../src/campaigns/action';
import { stageSizes } from '../../src/campaigns/select';
import { campaignSpec } from '../../src/campaigns/validate';
import { inWindow, localMinutes, parseZone } from '../../src/campaigns/window';
import { parseWorkflowData } from '../../src/workflows/load';

const TASK = { name: 'setParameterValues', parameterValues: [['Device.ManagementServer.PeriodicInformInterval', 600, 'xsd:unsignedInt']] };
const ok = { name: 'wifi', query: 'Tags.lab', action: { task: TASK } };

describe('campaign spec', () => {
  it('fills the defaults: one stage of 100 %, 60/min, 100 in flight, stop at 20 % after 10', () => {
    const { spec, draft } = campaignSpec(ok);
    assert.equal(draft, false);
    assert.deepEqual(spec.stages, [{ percent: 100, waitMinutes: 0 }]);
    assert.deepEqual([spec.ratePerMinute, spec.maxInFlight, spec.failureThreshold, spec.minSample], [60, 100, 0.2, 10]);
    assert.deepEqual(spec.query, { filter: 'Tags.lab' });
    assert.equal(spec.window, null);
    assert.equal(spec.connectionRequest, false);
  });

  it('accepts the full shape: query object with times, stages, window, provision and workflow actions', () => {
    const { spec } = campaignSpec({
      ...ok,
      query: { filter: 'DeviceID.ProductClass = "HG8245"', lastInformAfter: '2026-12-01T00:00:00Z' },
      stages: [{ percent: 1, waitMinutes: 30 }, { count: 50 }, {}],
      window: { start: '22:00', end: '05:00', timezone: 'Europe/Paris' },
      connectionRequest: true,
      draft: true,
    });
    assert.equal(spec.query.lastInformAfter, Date.parse('2026-12-01T00:00:00Z'));
    assert.deepEqual(spec.stages, [{ percent: 1, waitMinutes: 30 }, { count: 50, waitMinutes: 0 }, { waitMinutes: 0 }]);
    assert.deepEqual(spec.window, { start: '22:00', end: '05:00', timezone: 'Europe/Paris', deviceTimezone: true });
    assert.deepEqual(campaignSpec({ ...ok, action: { provision: 'wifi-defaults', args: ['x', 1] } }).spec.action, { provision: 'wifi-defaults', args: ['x', 1] });
    assert.deepEqual(campaignSpec({ ...ok, action: { workflow: 'firmware-upgrade', args: { version: '2' } } }).spec.action, { workflow: 'firmware-upgrade', args: { version: '2' } });
  });

  it('refuses bad bodies with 400 naming the field', () => {
    const cases: [unknown, RegExp][] = [
      [[], /must be a JSON object/],
      [{ ...ok, name: '' }, /^name must be/],
      [{ ...ok, colour: 1 }, /unknown field "colour"/],
      [{ ...ok, query: undefined }, /query is required/],
      [{ ...ok, query: 'Tags.lab ==' }, /query\.filter: '==' is not an operator/],
      [{ ...ok, query: { filter: 'VirtualParameters.x = 1' } }, /query\.filter: .*cannot be searched/],
      [{ ...ok, query: { lastInformBefore: 'yesterday' } }, /query\.lastInformBefore must be an ISO 8601 time/],
      [{ ...ok, action: undefined }, /action is required/],
      [{ ...ok, action: { task: TASK, workflow: 'x' } }, /exactly one of task, provision, workflow \(found task, workflow\)/],
      [{ ...ok, action: { task: { name: 'explode' } } }, /action\.task: name must be one of/],
      [{ ...ok, action: { task: { name: 'getParameterValues' } } }, /action\.task: parameterNames/],
      [{ ...ok, action: { workflow: '../etc' } }, /action\.workflow must be a name/],
      [{ ...ok, action: { provision: 'p', args: [{}] } }, /action\.args\[0\] must be/],
      [{ ...ok, stages: [] }, /stages must be a list of 1 to 20/],
      [{ ...ok, stages: [{}, {}] }, /stages\[0\] needs percent or count/],
      [{ ...ok, stages: [{ percent: 0 }, {}] }, /stages\[0\]\.percent must be a number above 0/],
      [{ ...ok, stages: [{ percent: 5, count: 3 }, {}] }, /stages\[0\]: give percent or count, not both/],
      [{ ...ok, stages: [{ count: 1.5 }, {}] }, /stages\[0\]\.count must be an integer/],
      [{ ...ok, stages: [{ count: 1, waitMinutes: -1 }, {}] }, /stages\[0\]\.waitMinutes must be an integer/],
      [{ ...ok, ratePerMinute: 0 }, /ratePerMinute must be an integer from 1/],
      [{ ...ok, maxInFlight: '5' }, /maxInFlight must be an integer/],
      [{ ...ok, failureThreshold: 0 }, /failureThreshold must be a number above 0 and at most 1/],
      [{ ...ok, failureThreshold: 20 }, /failureThreshold must be a number above 0 and at most 1/],
      [{ ...ok, minSample: 0 }, /minSample must be an integer/],
      [{ ...ok, window: { start: '2:00', end: '05:00' } }, /window\.start must be a time of day/],
      [{ ...ok, window: { start: '02:00', end: '24:00' } }, /window\.end must be a time of day/],
      [{ ...ok, window: { start: '02:00', end: '02:00' } }, /must differ/],
      [{ ...ok, window: { start: '02:00', end: '05:00', timezone: 'Mars/Olympus' } }, /window\.timezone must be an IANA time zone/],
      [{ ...ok, connectionRequest: 'yes' }, /connectionRequest must be true or false/],
    ];
    for (const [body, message] of cases) {
      assert.throws(() => campaignSpec(body), (e: { code?: string; status?: number; message: string }) => {
        assert.equal(e.code, 'ACS_ERR_BAD_REQUEST', JSON.stringify(body));
        assert.equal(e.status, 400);
        assert.match(e.message, message);
        return true;
      });
    }
  });

  it('a task or provision becomes an inline workflow the workflows module loads', () => {
    const { spec } = campaignSpec({ ...ok, connectionRequest: true });
    const inline = inlineWorkflow('0b0e9c4e-3d1a-4a39-9a4b-2d1f1d0c9a11', spec);
    assert.ok(inline);
    const parsed = parseWorkflowData(inline.name, inline.definition);
    assert.ok(parsed.ok, JSON.stringify(parsed));
    if (parsed.ok) {
      const step = parsed.workflow.steps[0];
      assert.equal(step.kind, 'task');
      if (step.kind === 'task') {
        assert.deepEqual(step.task, TASK);
        assert.equal(step.connectionRequest, true);
      }
    }
    assert.equal(inlineWorkflow('x', campaignSpec({ ...ok, action: { workflow: 'w' } }).spec), null);
  });

  it('cuts a selection into stages: percent of the whole, at least one device, the last takes the rest', () => {
    const stages = [{ percent: 1, waitMinutes: 0 }, { percent: 10, waitMinutes: 0 }, { waitMinutes: 0 }];
    assert.deepEqual(stageSizes(stages, 10_000), [100, 1000, 8900]);
    assert.deepEqual(stageSizes(stages, 7), [1, 1, 5]);
    assert.deepEqual(stageSizes(stages, 0), [0, 0, 0]);
    assert.deepEqual(stageSizes([{ count: 5, waitMinutes: 0 }, { count: 5, waitMinutes: 0 }], 7), [5, 2]);
  });
});

describe('campaign windows', () => {
  const at = (iso: string) => Date.parse(iso);
  const w = { start: '02:00', end: '05:00', timezone: 'UTC', deviceTimezone: true };

  it('reads device zones: IANA names, POSIX TZ strings (standard offset), +hh:mm offsets', () => {
    assert.deepEqual(parseZone('Europe/Paris'), { kind: 'iana', name: 'Europe/Paris' });
    assert.deepEqual(parseZone('CET-1CEST,M3.5.0,M10.5.0/3'), { kind: 'offset', minutes: 60 });
    assert.deepEqual(parseZone('EST+5EDT,M3.2.0/2,M11.1.0/2'), { kind: 'offset', minutes: -300 });
    assert.deepEqual(parseZone('<+0530>-5:30'), { kind: 'offset', minutes: 330 });
    assert.deepEqual(parseZone('+09:00'), { kind: 'offset', minutes: 540 });
    assert.equal(parseZone(''), null);
    assert.equal(parseZone('somewhere'), null);
  });

  it('judges local time of day, also across midnight', () => {
    assert.equal(localMinutes(at('2026-12-04T01:30:00Z'), { kind: 'offset', minutes: 60 }), 150);
    assert.equal(localMinutes(at('2026-07-04T01:30:00Z'), { kind: 'iana', name: 'Europe/Paris' }), 210, 'daylight saving applies to IANA zones');
    assert.equal(inWindow(w, at('2026-12-04T01:30:00Z'), null), false);
    assert.equal(inWindow(w, at('2026-12-04T02:00:00Z'), null), true);
    assert.equal(inWindow(w, at('2026-12-04T05:00:00Z'), null), false, 'end is exclusive');
    assert.equal(inWindow(w, at('2026-12-04T01:30:00Z'), { kind: 'offset', minutes: 60 }), true);
    const night = { ...w, start: '22:00', end: '02:00' };
    assert.equal(inWindow(night, at('2026-12-04T23:00:00Z'), null), true);
    assert.equal(inWindow(night, at('2026-12-04T01:59:00Z'), null), true);
    assert.equal(inWindow(night, at('2026-12-04T12:00:00Z'), null), false);
  });
});
