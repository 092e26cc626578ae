/**
 * Provision tasks in a session's state (cwmp/session/task-progress.ts): the
 * result's shape follows the task's (one provision, or a list), and a state
 * a session stored before tasks could list provisions (`name`, `args`) still
 * runs and finishes under this version (a session open across a deploy).
 */
import { strict as assert } from 'node:assert';
import type { SessionState, TaskProvision } from '../../src/cwmp/session/state';
import { callsOf, provisionOutcomes, taskChannel } from '../../src/cwmp/session/task-progress';
import { logKeys, newProvisionState } from '../../src/engine/types';

function ended(tasks: TaskProvision[], logs: Record<string, string[]> = {}, faulted: number[] = []): SessionState {
  const provision = { ...newProvisionState(), done: true, logs, faults: faulted.map((id) => ({ channel: taskChannel(id), code: 'script.error', message: 'boom', retries: 0, timestamp: 0 })) };
  return { taskProvisions: tasks, provision } as unknown as SessionState;
}

describe('provision tasks in a session', () => {
  it('one provision given alone: { provision, logs }, as before lists', () => {
    const [out] = provisionOutcomes(ended([{ id: 7, provisions: [{ name: 'wifi', args: ['x'] }] }], { 'task:7/wifi': ['set'] }));
    assert.deepEqual(out, { id: 7, status: 'done', result: { provision: 'wifi', logs: ['set'] } });
  });

  it('a list, even of one: { provisions: [{ provision, logs }] } in its order', () => {
    const logs = { 'task:8/wifi': ['a'], 'task:8/voip': ['b'] };
    const [two] = provisionOutcomes(ended([{ id: 8, provisions: [{ name: 'wifi', args: [] }, { name: 'voip', args: [] }], listed: true }], logs));
    assert.deepEqual((two as { result: unknown }).result, { provisions: [{ provision: 'wifi', logs: ['a'] }, { provision: 'voip', logs: ['b'] }] });
    const [one] = provisionOutcomes(ended([{ id: 8, provisions: [{ name: 'wifi', args: [] }], listed: true }], logs));
    assert.deepEqual((one as { result: unknown }).result, { provisions: [{ provision: 'wifi', logs: ['a'] }] });
  });

  it('the same provision twice: each entry its own run\'s logs ("#2" for the second)', () => {
    assert.deepEqual(logKeys('task:12', [{ name: 'tag' }, { name: 'wifi' }, { name: 'tag' }]), ['task:12/tag', 'task:12/wifi', 'task:12/tag#2']);
    const logs = { 'task:12/tag': ['tagged silver'], 'task:12/tag#2': ['tagged bronze'] };
    const [out] = provisionOutcomes(ended([{ id: 12, provisions: [{ name: 'tag', args: ['silver'] }, { name: 'tag', args: ['bronze'] }], listed: true }], logs));
    assert.deepEqual((out as { result: unknown }).result, { provisions: [{ provision: 'tag', logs: ['tagged silver'] }, { provision: 'tag', logs: ['tagged bronze'] }] });
  });

  it('a faulted task: its channel\'s fault', () => {
    const [out] = provisionOutcomes(ended([{ id: 9, provisions: [{ name: 'wifi', args: [] }] }], {}, [9]));
    assert.deepEqual(out, { id: 9, status: 'fault', fault: { code: 'script.error', message: 'boom' } });
  });

  it('a state stored by the version before (name and args): read as a list of one, finished as it was', () => {
    const before = JSON.parse(JSON.stringify({ id: 10, name: 'wifi', args: ['HomeNet'] })) as TaskProvision;
    assert.deepEqual(callsOf(before), [{ name: 'wifi', args: ['HomeNet'] }]);
    assert.deepEqual(callsOf({ id: 11, name: 'wifi' } as unknown as TaskProvision), [{ name: 'wifi', args: [] }]);
    const [out] = provisionOutcomes(ended([before], { 'task:10/wifi': ['set'] }));
    assert.deepEqual(out, { id: 10, status: 'done', result: { provision: 'wifi', logs: ['set'] } });
  });
});
