// PaddleVideo's test-time preprocessing, pure: sampler, short-side scale, crops, normalisation.
export { sampleIndices } from './sampler.js';
export { FramePicker } from './frame-picker.js';
export { writeClipImages } from './clip-images.js';
export { scaledSize, needsResize, type Size } from './scale.js';
export {
  cropOffsets,
  cropViews,
  viewsPerFrame,
  type CropMode,
  type CropOffset,
  type CropView,
} from './crops.js';
export {
  createNormalizer,
  writeCropNchw,
  toNchw,
  imageFloats,
  IMAGENET_MEAN,
  IMAGENET_STD,
  type Normalizer,
  type RgbImage,
} from './normalize.js';
