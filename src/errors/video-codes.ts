// Whole-file decoding and PaddleVideo's test preprocessing (tsn predict).
import type { ErrorCatalog } from './catalog.js';

export const videoErrors = {
  E_VIDEO_OPEN: {},
  E_VIDEO_DECODE: {},
  E_VIDEO_EMPTY: {},
  E_FFMPEG_MISSING: {},
} as const satisfies ErrorCatalog;
