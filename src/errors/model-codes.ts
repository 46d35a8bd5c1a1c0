// Checkpoint reading, conversion and the model directory.
import type { ErrorCatalog } from './catalog.js';

export const modelErrors = {
  /** The checkpoint file cannot be opened or read (missing, permissions, a directory). */
  E_CKPT_READ: {},
  E_CKPT_NOT_PICKLE: {},
  E_CKPT_TRUNCATED: {},
  /** A structurally invalid pickle (stack underflow, bad memo index, wrong operand types). */
  E_CKPT_CORRUPT: {},
  E_CKPT_UNSUPPORTED: {},
  E_CKPT_TOO_LARGE: {},
  E_CKPT_DTYPE: {},
  E_CKPT_MISSING_TENSOR: {},
  E_CKPT_EXTRA_TENSOR: {},
  E_CKPT_SHAPE: {},
  E_CKPT_DEPTH: {},
  E_MODEL_DIR: {},
  E_MODEL_MANIFEST: {},
  E_MODEL_WEIGHTS: {},
  E_MODEL_LABELS: {},
  E_MODEL_OUT_EXISTS: {},
} as const satisfies ErrorCatalog;
