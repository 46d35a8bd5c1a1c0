import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WhipLifecycle, type WhipAction } from '../../../src/sources/webrtc/whip-lifecycle.js';

const size = { width: 224, height: 224 };
const states = (actions: WhipAction[]) =>
  actions.map((a) =>
    a.type === 'status' ? a.status.state : a.type === 'end-session' ? `end:${a.fault.kind}` : a.type,
  );

describe('WhipLifecycle', () => {
  test('waiting -> publisher -> streaming -> DELETE -> waiting for the next one -> streaming again', () => {
    const lc = new WhipLifecycle({ stallTimeoutMs: 1000, connectTimeoutMs: 5000 });
    assert.deepEqual(lc.start(0), [
      { type: 'status', status: { state: 'connecting', attempt: 1, sinceMs: 0 } },
    ]);
    assert.equal(lc.nextDeadlineMs(), undefined, 'no timer while nobody publishes');
    assert.deepEqual(lc.joined(10, 'a'), [], 'already connecting for publisher 1');
    assert.equal(lc.nextDeadlineMs(), 5010);
    assert.deepEqual(states(lc.frame(20, 'a', size)), ['streaming']);
    assert.deepEqual(lc.frame(30, 'a', size), []);
    assert.deepEqual(lc.frame(40, 'b', size), [], 'frames of another session do not count');
    assert.deepEqual(lc.left(50, 'a', undefined), [
      { type: 'status', status: { state: 'connecting', attempt: 2, sinceMs: 50 } },
    ]);
    assert.equal(lc.activeSessionId, undefined);
    assert.deepEqual(lc.joined(60, 'b'), []);
    assert.deepEqual(states(lc.frame(70, 'b', size)), ['streaming']);
  });

  test('a stalled publisher is ended: backoff (retryInMs 0, waiting), the next publisher connects', () => {
    const lc = new WhipLifecycle({ stallTimeoutMs: 1000, connectTimeoutMs: 5000 });
    lc.start(0);
    lc.joined(0, 'a');
    lc.frame(100, 'a', size);
    assert.deepEqual(lc.tick(1099), []);
    const actions = lc.tick(1100);
    assert.deepEqual(states(actions), ['end:stalled', 'backoff']);
    const status = actions[1]?.type === 'status' ? actions[1].status : undefined;
    assert.equal(status?.state === 'backoff' && status.retryInMs, 0);
    assert.deepEqual(
      lc.left(1200, 'a', { kind: 'exited', message: 'late' }),
      [],
      'a second report of the same end is ignored',
    );
    assert.deepEqual(lc.joined(2000, 'b'), [
      { type: 'status', status: { state: 'connecting', attempt: 2, sinceMs: 2000 } },
    ]);
  });

  test('no first frame within connectTimeoutMs: the session is ended as a timeout; failures count up', () => {
    const lc = new WhipLifecycle({ stallTimeoutMs: 1000, connectTimeoutMs: 5000 });
    lc.start(0);
    lc.joined(0, 'a');
    assert.deepEqual(states(lc.tick(5000)), ['end:timeout', 'backoff']);
    lc.joined(6000, 'b');
    const second = lc.left(6500, 'b', { kind: 'exited', message: 'ICE closed' });
    assert.equal(
      second[0]?.type === 'status' && second[0].status.state === 'backoff' && second[0].status.attempt,
      2,
    );
  });

  test('stop ends the live session, publishes stopped once, and ignores everything after', () => {
    const lc = new WhipLifecycle({ stallTimeoutMs: 1000, connectTimeoutMs: 5000 });
    lc.start(0);
    lc.joined(0, 'a');
    assert.deepEqual(states(lc.stop(10)), ['end:exited', 'stopped', 'done']);
    assert.deepEqual(lc.stop(20), []);
    assert.deepEqual(lc.joined(30, 'b'), []);
    assert.equal(lc.isStopped, true);
  });
});
