// Segmenter, batcher, window head, detector.
export const pipelineErrorCodes = ['E_PIPELINE_CONFIG'] as const;
