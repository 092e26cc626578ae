import { strict as assert } from 'node:assert';
import { OpenedSessions } from '../../src/cwmp/session/opened';
import type { SessionState } from '../../src/cwmp/session/state';

const state = (id: string, startedAt: number): SessionState => ({ id, startedAt }) as SessionState;

describe('OpenedSessions (quiet sessions kept until their empty POST)', () => {
  it('gives a session back once, then forgets it', () => {
    const opened = new OpenedSessions(1000);
    opened.remember(state('a', 5000));
    assert.equal(opened.take('a')?.id, 'a');
    assert.equal(opened.take('a'), undefined);
    assert.equal(opened.size, 0);
  });

  it('drops the sessions older than the session timeout when another opens (their empty POST went elsewhere or never came)', () => {
    const opened = new OpenedSessions(1000);
    opened.remember(state('old', 1000));
    opened.remember(state('kept', 2500));
    opened.remember(state('new', 3000));
    assert.equal(opened.take('old'), undefined);
    assert.equal(opened.take('kept')?.id, 'kept');
    assert.equal(opened.take('new')?.id, 'new');
  });

  it('forget drops one session', () => {
    const opened = new OpenedSessions(1000);
    opened.remember(state('a', 1));
    opened.forget('a');
    assert.equal(opened.size, 0);
  });
});
