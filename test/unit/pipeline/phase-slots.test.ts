import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PhaseSlots } from '../../../src/pipeline/phase-slots.js';
import { Segmenter } from '../../../src/pipeline/segmenter.js';
import type { SegmenterOptions } from '../../../src/pipeline/options.js';
import { frames } from './fakes.js';

test('cameras of one segment length and frame period take the least used slot, lowest first', () => {
  const slots = new PhaseSlots();
  const origins = ['a', 'b', 'c', 'd', 'e'].map((id) => slots.assign(id, 1000, 250));
  assert.deepEqual(origins, [0, -750, -500, -250, 0]);
  slots.release('b');
  assert.equal(slots.assign('f', 1000, 250), -750, 'a removed camera frees its slot');
  assert.equal(slots.assign('g', 500, 250), 0, 'another segment length is another group');
  assert.equal(slots.assign('h', 1000, 0), 0, 'unknown frame period: no shift');
  assert.equal(slots.assign('i', 300, 250), 0, 'one frame per segment: one slot');
  assert.equal(slots.assign('a', 1000, 250), 0, 're-assigning a camera releases its own slot first');
});

test('staggered grids spread the moments picks become final over the frame instants of a segment', () => {
  const base: SegmenterOptions = {
    numSeg: 8,
    windowMs: 8000,
    strideSegments: 1,
    maxGapMs: 3000,
    missingSegment: 'nearest',
    pick: 'paddle',
    gridOriginMs: 0,
    framePeriodMs: 250,
  };
  const slots = new PhaseSlots();
  // Four cameras whose frames arrive at the same instants (started together), 4 frames/s.
  const moments = ['a', 'b', 'c', 'd'].map((id) => {
    const s = new Segmenter(id, { ...base, gridOriginMs: slots.assign(id, 1000, 250) });
    const out = frames(id, 0, 6000, 250).map((f) => ({ f, segments: s.push(f).segments }));
    for (const { segments } of out) for (const seg of segments) assert.ok(seg.segmentIndex >= 0);
    const at = out.flatMap(({ f, segments }) => segments.map(() => f.ptsMs % 1000));
    assert.ok(at.length >= 5, `${id}: one pick per segment`);
    // The first segment may be a partial one (the grid starts before the first frame).
    return new Set(at.slice(1));
  });
  for (const m of moments) assert.equal(m.size, 1, 'each camera finalises at one phase');
  assert.equal(new Set(moments.map((m) => [...m][0])).size, 4, 'four cameras, four phases');
});
