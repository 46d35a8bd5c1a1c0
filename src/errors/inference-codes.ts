// Inference backends, preprocessing and video decoding for prediction.
export const inferenceErrorCodes = [
  'E_BACKEND_UNAVAILABLE',
  'E_BACKEND_PROVIDER',
  'E_BACKEND_RUN',
  'E_INPUT_SHAPE',
  'E_VIDEO_OPEN',
  'E_VIDEO_DECODE',
  'E_VIDEO_EMPTY',
  'E_FFMPEG_MISSING',
] as const;
