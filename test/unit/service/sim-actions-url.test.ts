import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parseSimUrl, schedulePathOf } from '../../../src/service/simulated-camera.js';
import { isTsnError } from '../../../src/errors/index.js';

test('sim://NAME?actions=SEED is a synthetic action camera', () => {
  assert.deepEqual(parseSimUrl('sim://lobby?actions=7'), { name: 'lobby', pattern: 'testsrc2', actions: 7 });
  assert.equal(schedulePathOf('/c/sim', 'lobby'), join('/c/sim', 'schedules', 'lobby.json'));
});

test('a bad seed, or actions beside file/pattern, is E_SOURCE_URL', () => {
  for (const url of [
    'sim://a?actions=',
    'sim://a?actions=-1',
    'sim://a?actions=x',
    'sim://a?actions=1&file=b.mp4',
  ]) {
    assert.throws(
      () => parseSimUrl(url),
      (e: unknown) => isTsnError(e, 'E_SOURCE_URL'),
      url,
    );
  }
});
