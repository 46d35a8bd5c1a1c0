// Checkpoint reading, conversion and the model directory.
export const modelErrorCodes = [
  'E_CKPT_NOT_PICKLE',
  'E_CKPT_TRUNCATED',
  'E_CKPT_UNSUPPORTED',
  'E_CKPT_TOO_LARGE',
  'E_CKPT_DTYPE',
  'E_CKPT_MISSING_TENSOR',
  'E_CKPT_EXTRA_TENSOR',
  'E_CKPT_SHAPE',
  'E_CKPT_DEPTH',
  'E_MODEL_DIR',
  'E_MODEL_MANIFEST',
  'E_MODEL_WEIGHTS',
  'E_MODEL_LABELS',
  'E_MODEL_OUT_EXISTS',
] as const;
