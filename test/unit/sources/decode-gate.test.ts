import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DecodeGate } from '../../../src/sources/decode-gate.js';

/** Frames every frameMs, a keyframe every gopFrames (or at the given frame indices), for durationMs. */
function stream(frameMs: number, durationMs: number, isKey: (index: number) => boolean) {
  return Array.from({ length: Math.round(durationMs / frameMs) }, (_, i) => ({
    tMs: i * frameMs,
    key: isKey(i),
  }));
}

/** Feeds the stream (PTS starting at an arbitrary offset) and returns the forwarded times. */
function forwarded(gate: DecodeGate, units: readonly { tMs: number; key: boolean }[]): number[] {
  const offset = 126_000;
  return units.filter((u) => gate.accessUnit(offset + u.tMs * 90, u.key) === 'forward').map((u) => u.tMs);
}

describe('DecodeGate (decode: picked)', () => {
  test('1 s GOP, 1 s segments: after two regular GOPs only the keyframe up to the pick boundary + 1 is decoded', () => {
    const gate = new DecodeGate({ slotMs: 500, segmentMs: 1000 });
    const units = stream(40, 5000, (i) => i % 25 === 0);
    const kept = forwarded(gate, units);
    // Until the rhythm is known (keys at 0 and 1000 give one interval) everything is decoded.
    assert.deepEqual(
      kept.filter((t) => t < 2000),
      units.filter((u) => u.tMs < 2000).map((u) => u.tMs),
    );
    for (const second of [2000, 3000, 4000]) {
      // The keyframe, the frames before the boundary (keyframe + 100 ms), the first past it (it makes
      // the fps filter emit the pick) and two more (they carry it through the decoder's demuxer).
      assert.deepEqual(
        kept.filter((t) => t >= second && t < second + 1000),
        [second, second + 40, second + 80, second + 120, second + 160, second + 200],
      );
    }
    assert.equal(gate.stats().missedPicks, 0);
    // The decoder's slot 0 (boundary 250 ms) moves to 100 ms after the first keyframe.
    assert.equal(gate.decoderPtsShiftSeconds, 0.15);
  });

  test('2 s GOP: the half of each GOP after its second pick is dropped, nothing a pick needs', () => {
    const gate = new DecodeGate({ slotMs: 500, segmentMs: 1000 });
    const kept = forwarded(
      gate,
      stream(40, 8000, (i) => i % 50 === 0),
    );
    assert.deepEqual(
      kept.filter((t) => t >= 4000 && t < 6000),
      stream(40, 6000, () => false)
        .map((u) => u.tMs)
        .filter((t) => t >= 4000 && t <= 5200),
    );
    assert.equal(gate.stats().missedPicks, 0);
  });

  test('0.5 s GOP: keyframes no pick needs are dropped too', () => {
    const gate = new DecodeGate({ slotMs: 500, segmentMs: 1000 });
    const kept = forwarded(
      gate,
      stream(50, 4000, (i) => i % 10 === 0),
    );
    assert.deepEqual(
      kept.filter((t) => t >= 2000),
      [2000, 2050, 2100, 2150, 2200, 3000, 3050, 3100, 3150, 3200],
    );
  });

  test('a keyframe later than its rhythm costs one pick (counted) and stops skipping until regular again', () => {
    const gate = new DecodeGate({ slotMs: 500, segmentMs: 1000 });
    const keys = new Set([0, 25, 50, 80, 105, 130, 155]); // the 4th keyframe 200 ms late
    const units = stream(40, 6400, (i) => keys.has(i));
    const kept = forwarded(gate, units);
    assert.equal(gate.stats().missedPicks, 1);
    // From the late keyframe (3200) everything is decoded until two equal intervals again (5200).
    assert.deepEqual(
      kept.filter((t) => t >= 3200 && t < 5200),
      units.filter((u) => u.tMs >= 3200 && u.tMs < 5200).map((u) => u.tMs),
    );
    // Skipping resumes, but the keyframes now fall 900 ms before each boundary, not 100: the timeline is
    // aligned once per connection, so only the frames between a boundary and the next keyframe go.
    assert.deepEqual(
      units.filter((u) => u.tMs > 6120 && u.tMs < 6200 && !kept.includes(u.tMs)).map((u) => u.tMs),
      [],
    );
    assert.ok(kept.includes(6240));
  });

  test('a decoder that holds one output frame back gets units until the next slot is out too', () => {
    const gate = new DecodeGate({ slotMs: 500, segmentMs: 1000, outputLagSlots: 1 });
    const kept = forwarded(
      gate,
      stream(40, 4000, (i) => i % 25 === 0),
    );
    // Boundary 2100, next slot's 2600: the frames up to it, the first past it and two more.
    assert.deepEqual(
      kept.filter((t) => t >= 2000 && t < 3000),
      stream(40, 3000, () => false)
        .map((u) => u.tMs)
        .filter((t) => t >= 2000 && t <= 2680),
    );
    assert.equal(gate.stats().missedPicks, 0);
  });

  test('a stream without keyframes (intra refresh) is passed on whole after 5 s', () => {
    const gate = new DecodeGate({ slotMs: 500, segmentMs: 1000 });
    const units = stream(40, 8000, () => false);
    const kept = forwarded(gate, units);
    assert.equal(kept[0], 5000);
    assert.equal(kept.length, units.filter((u) => u.tMs >= 5000).length);
    assert.equal(gate.stats().passAll, true);
  });

  test('nothing before the first keyframe is forwarded (undecodable); counts add up', () => {
    const gate = new DecodeGate({ slotMs: 250, segmentMs: 1000 });
    const units = stream(40, 3000, (i) => i >= 5 && (i - 5) % 25 === 0);
    const kept = forwarded(gate, units);
    assert.equal(kept[0], 200);
    assert.equal(gate.stats().forwarded + gate.stats().dropped, units.length);
    assert.equal(gate.decoderPtsShiftSeconds, (125 - 62.5) / 1000, 'a quarter slot lead at 4 frames/s');
    // At 10 frames/s a 100 ms lead would shift the first keyframe before slot 0's centre.
    assert.equal(new DecodeGate({ slotMs: 100, segmentMs: 1000 }).decoderPtsShiftSeconds, 0.025);
  });
});
