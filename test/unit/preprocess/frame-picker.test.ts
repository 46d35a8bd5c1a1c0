import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { FramePicker } from '../../../src/inference/preprocess/index.js';

/** frames of 4 bytes, frame i filled with the value i */
function stream(frames: number): Uint8Array {
  const out = new Uint8Array(frames * 4);
  for (let i = 0; i < frames; i++) out.fill(i, i * 4, i * 4 + 4);
  return out;
}

describe('FramePicker', () => {
  test('counts every frame, keeps only the wanted ones, whatever the chunking', () => {
    const bytes = stream(9);
    for (const chunkSize of [1, 3, 4, 5, 36]) {
      const picker = new FramePicker(4, [0, 4, 4, 8]);
      for (let at = 0; at < bytes.length; at += chunkSize) picker.push(bytes.subarray(at, at + chunkSize));
      assert.equal(picker.frameCount, 9);
      assert.equal(picker.trailingBytes, 0);
      assert.deepEqual([...picker.kept.keys()], [0, 4, 8]);
      for (const [i, frame] of picker.kept) assert.deepEqual(frame, new Uint8Array(4).fill(i));
    }
  });

  test('kept frames are copies, not views of the pushed chunk', () => {
    const chunk = stream(2);
    const picker = new FramePicker(4, [1]);
    picker.push(chunk);
    chunk.fill(77);
    assert.deepEqual(picker.kept.get(1), new Uint8Array(4).fill(1));
  });

  test('reports a cut-off last frame', () => {
    const picker = new FramePicker(4, [2]);
    picker.push(stream(3).subarray(0, 10));
    assert.equal(picker.frameCount, 2);
    assert.equal(picker.trailingBytes, 2);
    assert.equal(picker.kept.size, 0);
  });

  test('indices beyond the stream are simply not found', () => {
    const picker = new FramePicker(4, [1, 50]);
    picker.push(stream(3));
    assert.deepEqual([...picker.kept.keys()], [1]);
  });

  test('rejects a non-positive frame size', () => {
    assert.throws(() => new FramePicker(0, []), RangeError);
  });
});
