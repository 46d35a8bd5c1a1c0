/**
 * PaddleVideo's test-time Sampler (valid_mode, select_left, seg_len 1): the middle frame of each of
 * numSeg equal segments. d stays float64 and the sum is truncated, exactly as Python's int() does, so
 * the indices match the reference bit for bit. Clips shorter than numSeg repeat frame 0.
 */
export function sampleIndices(frameCount: number, numSeg: number): number[] {
  assertCount(frameCount, 'frameCount', 0);
  assertCount(numSeg, 'numSeg', 1);
  if (frameCount <= numSeg) return new Array<number>(numSeg).fill(0);
  const d = frameCount / numSeg;
  return Array.from({ length: numSeg }, (_, x) => Math.trunc(d / 2 + d * x));
}

function assertCount(value: number, name: string, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${name} must be an integer >= ${min}, got ${value}`);
  }
}
