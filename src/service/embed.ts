// The pipeline's two inference hooks on top of a Backend: segment frames -> normalised crops -> backbone
// features (frame-major, then view), and the head (fc of the mean). One batch buffer is reused per size.
import type { SegmentFrame } from '../domain/index.js';
import type { Backend } from '../inference/backend.js';
import { createNormalizer, cropViews, imageFloats, writeCropNchw } from '../inference/preprocess/index.js';
import type { Model } from '../model/types.js';
import type { EmbedFn, HeadFn } from '../pipeline/inference-stages.js';

export function createEmbed(backend: Backend, model: Model): EmbedFn {
  const size = model.manifest.inputSize;
  const normalizer = createNormalizer(model.manifest.mean, model.manifest.std);
  return async (batch: readonly SegmentFrame[], views: number) => {
    const count = batch.length * views;
    // A fresh buffer per call: the worker backend transfers it, and calls may overlap (maxInFlight > 1).
    const images = new Float32Array(count * imageFloats(size));
    batch.forEach((segment, i) => {
      const { frame } = segment;
      const crops = cropViews(frame.width, frame.height, size, views === 10 ? 'ten' : 'center');
      crops.forEach((view, v) =>
        writeCropNchw(frame, view, size, normalizer, images, (i * views + v) * imageFloats(size)),
      );
    });
    return backend.features(images, count);
  };
}

export function createHead(backend: Backend): HeadFn {
  return (features, windows, perWindow) => backend.head(features, windows, perWindow);
}
