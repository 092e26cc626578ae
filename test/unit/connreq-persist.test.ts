/** A connection request asked again while the answer is "not now" (the CPE's 503, our own rate limits), and only then. */
import { strict as assert } from 'node:assert';
import { requestUntilAnswered } from '../../src/connreq';
import type { ConnectionRequestOutcome, ConnectionRequestResult } from '../../src/connreq';

function answering(...outcomes: ConnectionRequestResult[]) {
  const asked: string[] = [];
  const request = async (device: string): Promise<ConnectionRequestOutcome> => {
    asked.push(device);
    return { deviceKey: device, outcome: outcomes[Math.min(asked.length - 1, outcomes.length - 1)], via: 'http', message: '', time: 0 };
  };
  return { asked, request };
}

describe('requestUntilAnswered', () => {
  const delays = [1, 1, 1];

  it('asks again after a 503 or our own rate limit, until the CPE takes it', async () => {
    const a = answering('http-503', 'rate-limited', 'ok');
    assert.equal((await requestUntilAnswered(a.request, 'D', delays)).outcome, 'ok');
    assert.deepEqual(a.asked, ['D', 'D', 'D']);
  });

  it('stops after the last delay, answering the last refusal', async () => {
    const a = answering('http-503');
    assert.equal((await requestUntilAnswered(a.request, 'D', delays)).outcome, 'http-503');
    assert.equal(a.asked.length, delays.length + 1);
  });

  it('does not ask again an offline device, refused credentials or another HTTP answer', async () => {
    for (const final of ['timeout', 'refused', 'auth-failed', 'http-500', 'no-url', 'already-asked'] as const) {
      const a = answering(final, 'ok');
      assert.equal((await requestUntilAnswered(a.request, 'D', delays)).outcome, final);
      assert.equal(a.asked.length, 1, final);
    }
  });
});
