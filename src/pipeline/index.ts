// The streaming recognition pipeline's public surface.
export {
  createRecognitionPipeline,
  type PipelineMode,
  type RecognitionPipeline,
  type RecognitionPipelineDeps,
  type RecognitionPipelineOptions,
} from './recognition-pipeline.js';
export type {
  ClipFn,
  ClipInferencePort,
  EmbedFn,
  HeadFn,
  InferencePort,
  SegmentInferencePort,
} from './inference-port.js';
export type { IdFactory } from './detector-events.js';
export { Detector, type DetectorCameraConfig, type DetectorOutput } from './detector.js';
export {
  Segmenter,
  type RingBreak,
  type SegmentJob,
  type SegmenterOutput,
  type WindowSpec,
} from './segmenter.js';
export { FairBatcher, type BatchItem } from './fair-batcher.js';
export { BatchDriver, type BatchDriverHooks } from './batch-driver.js';
export { WindowAssembler, type LostSegmentPolicy, type ReadyWindow } from './window-assembler.js';
export { packHeadCalls, predictionOf, toPredictions } from './window-head.js';
export { softmax, topK } from './scores.js';
export { segmentFrames } from './operators.js';
export type { CameraCounters, PipelineMetricsSnapshot, PipelineSamples } from './metrics.js';
export {
  defaultBatching,
  defaultCameraOptions,
  defaultDetectorSettings,
  resolveCameraOptions,
  type BatchingOptions,
  type CameraOptionsInput,
  type CameraPipelineOptions,
  type DetectorSettings,
  type MissingSegmentPolicy,
  type PickRule,
  type ThresholdSettings,
} from './options.js';
