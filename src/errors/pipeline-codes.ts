// Segmenter, batcher, window head, detector.
export const pipelineErrorCodes = [
  'E_PIPELINE_CONFIG',
  'E_PIPELINE_CAMERA_EXISTS',
  'E_PIPELINE_FRAMES',
  'E_PIPELINE_CLOSED',
  'E_PIPELINE_EMBED',
  'E_PIPELINE_HEAD',
] as const;
