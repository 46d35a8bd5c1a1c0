// Whole-file decoding and PaddleVideo's test preprocessing (tsn predict).
export const videoErrorCodes = [
  'E_VIDEO_OPEN',
  'E_VIDEO_DECODE',
  'E_VIDEO_EMPTY',
  'E_FFMPEG_MISSING',
] as const;
