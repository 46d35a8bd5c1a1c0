import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSubjects, sanitizeToken, validatePrefix } from '../../../src/publish/subjects.js';
import { isTsnError } from '../../../src/errors/index.js';

describe('NATS subjects', () => {
  test('default prefix builds the documented subjects', () => {
    const s = createSubjects();
    assert.equal(s.event('cam-1', 'falling'), 'actions.events.cam-1.falling');
    assert.equal(s.prediction('cam-1'), 'actions.predictions.cam-1');
    assert.equal(s.status('cam-1'), 'actions.status.cam-1');
    assert.equal(s.allEvents, 'actions.events.>');
  });

  test('a custom multi-token prefix is kept', () => {
    const s = createSubjects('site1.actions');
    assert.equal(s.event('door', 'wave'), 'site1.actions.events.door.wave');
    assert.equal(s.allEvents, 'site1.actions.events.>');
  });

  test('tokens are sanitised deterministically (golden)', () => {
    const golden: [string, string][] = [
      ['front.door', 'front_door'],
      ['lobby cam', 'lobby_cam'],
      ['*', '_'],
      ['a>b', 'a_b'],
      ['tab\there', 'tab_here'],
      ['line\nbreak\r', 'line_break_'],
      ['nul\u0000x', 'nul_x'],
      ['zero\u200bwidth', 'zero_width'],
      ['$SYS', '_SYS'],
      ['', '_'],
      ['playing guitar', 'playing_guitar'],
      ['café-2', 'café-2'],
      ['already_ok-09', 'already_ok-09'],
    ];
    for (const [input, expected] of golden)
      assert.equal(sanitizeToken(input), expected, JSON.stringify(input));
    const s = createSubjects();
    assert.equal(s.event('a.b c', 'x*y>z'), 'actions.events.a_b_c.x_y_z');
    assert.equal(s.event('', ''), 'actions.events._._');
    // every built subject has exactly the documented number of tokens
    assert.equal(s.event('a.b.c', 'd.e').split('.').length, 4);
  });

  test('invalid prefixes are rejected with E_CONFIG', () => {
    for (const bad of ['', 'a..b', 'actions.*', 'act ions', 'actions.>', '.actions', 'actions.']) {
      assert.throws(
        () => validatePrefix(bad),
        (e: unknown) => isTsnError(e, 'E_CONFIG'),
        bad,
      );
    }
    assert.equal(validatePrefix('a.b-c_d'), 'a.b-c_d');
  });
});
