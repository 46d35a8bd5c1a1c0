// Clip mode on top of an external clip model: each window's numSeg frames -> numSeg x views normalised
// crops in PaddleVideo's order (view-major, as writeClipImages writes them) -> one runner call per batch.
import type { SegmentFrame } from '../domain/index.js';
import type { ClipRunner } from '../inference/onnx/clip-model.js';
import { createNormalizer, cropViews, imageFloats, writeCropNchw } from '../inference/preprocess/index.js';
import type { ClipModel } from '../model/types.js';
import type { ClipFn } from '../pipeline/inference-stages.js';

export function createClip(runner: ClipRunner, model: ClipModel): ClipFn {
  const size = model.manifest.inputSize;
  const normalizer = createNormalizer(model.manifest.mean, model.manifest.std);
  const floats = imageFloats(size);
  return async (frames: readonly SegmentFrame[], windows: number, numSeg: number, views: number) => {
    const timeSteps = numSeg * views;
    runner.checkTimeSteps(timeSteps);
    // A fresh buffer per call: calls may overlap (maxInFlight > 1).
    const images = new Float32Array(windows * timeSteps * floats);
    frames.forEach(({ frame }, i) => {
      const window = Math.floor(i / numSeg);
      const segment = i % numSeg;
      // Per frame, not per window: a source may change resolution between segments.
      const crops = cropViews(frame.width, frame.height, size, views === 10 ? 'ten' : 'center');
      crops.forEach((view, v) => {
        const image = window * timeSteps + v * numSeg + segment;
        writeCropNchw(frame, view, size, normalizer, images, image * floats);
      });
    });
    return runner.clip(images, windows, timeSteps);
  };
}
