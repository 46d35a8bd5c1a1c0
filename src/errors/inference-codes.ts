// Inference backends (onnx, tfjs) and the ONNX graph builder.
import type { ErrorCatalog } from './catalog.js';

export const inferenceErrors = {
  E_BACKEND_UNAVAILABLE: {},
  E_BACKEND_PROVIDER: {},
  E_BACKEND_RUN: {},
  E_INPUT_SHAPE: {},
} as const satisfies ErrorCatalog;
