// The model area's public surface: other areas import from here.
export type { Model, ModelManifest, ResNetDepth, Tensor, Weights } from './types.js';
export { MODEL_FORMAT, MODEL_FORMAT_VERSION } from './types.js';
export { loadModel, writeModelDir, modelId, type ModelDirContents } from './model-dir.js';
export { convertCheckpoint, buildManifest, type ConvertOptions, type ConvertResult } from './convert.js';
export {
  canonicalTensorSpecs,
  featureDimFor,
  blockSpecs,
  RESNET_BLOCKS,
  type TensorSpec,
} from './resnet-layout.js';
export { paddleNameMappings, inferDepth, type NameMapping } from './paddle-names.js';
export type { AnyModel, ClipModel, OnnxClipManifest } from './types.js';
export { loadAnyModel, parseClipManifest } from './clip-model-dir.js';
