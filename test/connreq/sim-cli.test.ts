import assert from 'node:assert/strict';
import path from 'node:path';
import { runSim, simUsage } from '../../src/sim/cli';

const TR181 = path.resolve(__dirname, '../../../shared/samples/device-models/device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv');

describe('acs sim --stun', () => {
  const base = ['--acs', 'http://127.0.0.1:1/', '--model', TR181, '--duration', '1', '--quiet'];

  it('is documented in the usage text', () => {
    assert.match(simUsage, /--stun HOST:PORT/);
    assert.match(simUsage, /--stun-interval S/);
  });

  it('needs --udp: Binding Requests go out from the UDP connection-request port', async () => {
    await assert.rejects(runSim([...base, '--stun', '127.0.0.1:3478']), /--stun needs --udp/);
  });

  it('refuses an address that is not HOST:PORT', async () => {
    for (const bad of ['127.0.0.1', '127.0.0.1:0', 'host:99999', '[::1]']) {
      await assert.rejects(runSim([...base, '--udp', '--stun', bad]), /expected HOST:PORT/, bad);
    }
  });
});
