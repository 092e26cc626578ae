/**
 * Fleet.paced, the open loop of bench (w): sessions start at the offered
 * rate whatever the ACS's pace, and a device still in its last session when
 * its turn comes is passed over and counted, not queued.
 */
import { strict as assert } from 'node:assert';
import { Fleet } from '../../src/sim/fleet';
import { loadModel } from '../../src/sim/load-model';
import { startTestAcs, type TestAcs } from '../helpers/acs';

describe('sim: Fleet.paced offers sessions at a fixed rate', function () {
  this.timeout(30_000);
  let t: TestAcs;
  const fleets: Fleet[] = [];
  before(async () => {
    t = await startTestAcs('fleet_paced');
  });
  after(async () => {
    await Promise.all(fleets.map((f) => f.close()));
    await t?.stop();
  });

  async function registered(devices: number, serialBase: string): Promise<Fleet> {
    const fleet = await Fleet.create({ acsUrl: t.cwmpUrl, model: loadModel('tr181'), devices, serialBase });
    fleets.push(fleet);
    await fleet.connectAll();
    fleet.stats.reset();
    return fleet;
  }

  it('starts rate x duration sessions, every one completed', async () => {
    const fleet = await registered(40, 'PACED');
    const t0 = Date.now();
    const { started, passed } = await fleet.paced(40, 1500);
    assert.ok(Date.now() - t0 >= 1500, 'it offers for the whole duration');
    assert.ok(started + passed >= 57 && started + passed <= 60, `${started} started, ${passed} passed over`);
    assert.equal(fleet.stats.completed, started, `${fleet.stats.failed} failed, ${fleet.stats.refused} refused`);
  });

  it('passes over a device still in session instead of queueing it', async () => {
    // 2 devices offered 400 sessions/s: most turns find the device busy.
    const fleet = await registered(2, 'PACEDBUSY');
    const { started, passed } = await fleet.paced(400, 500);
    assert.ok(passed > 0, `${started} started, ${passed} passed over`);
    assert.ok(started + passed >= 190, `${started + passed} turns offered`);
    assert.equal(fleet.stats.completed, started);
  });
});
