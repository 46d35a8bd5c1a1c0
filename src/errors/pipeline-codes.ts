// Segmenter, batcher, window head, detector.
import type { ErrorCatalog } from './catalog.js';

export const pipelineErrors = {
  E_PIPELINE_CONFIG: { status: 400 },
  E_PIPELINE_CAMERA_EXISTS: {},
  E_PIPELINE_FRAMES: {},
  E_PIPELINE_CLOSED: {},
  E_PIPELINE_EMBED: {},
  E_PIPELINE_HEAD: {},
  /** A processor (segmenter, detector, window head) threw: a bug; the value is skipped, the stream goes on. */
  E_PIPELINE_INTERNAL: {},
  /** A subscriber of predictions$ or events$ threw; the other subscribers are not affected. */
  E_PIPELINE_SUBSCRIBER: {},
} as const satisfies ErrorCatalog;
