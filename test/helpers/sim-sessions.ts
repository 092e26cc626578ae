/**
 * What a simulated CPE was asked, session by session: for end-to-end tests
 * that assert the RPCs the ACS sent (and did not send) in each session.
 */
import type { CpeRequest } from '../../src/cwmp/soap/types';
import type { SessionOutcome, SimDevice } from '../../src/sim/device';

/** The ACS requests of each session of a simulated device, in order (filled in as its sessions run). */
export function requestsOf(device: SimDevice): CpeRequest[][] {
  const sessions: CpeRequest[][] = [];
  // The device's own steps, wrapped: the simulator has no hook for what it is asked.
  const d = device as unknown as {
    runSession(reason?: string): Promise<SessionOutcome>;
    execute(request: CpeRequest, id: string | undefined, out: SessionOutcome): Promise<unknown>;
  };
  const run = d.runSession.bind(device);
  d.runSession = (reason?: string) => {
    sessions.push([]);
    return run(reason);
  };
  const execute = d.execute.bind(device);
  d.execute = (request, id, out) => {
    sessions[sessions.length - 1].push(request);
    return execute(request, id, out);
  };
  return sessions;
}
