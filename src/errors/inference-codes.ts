// Inference backends (onnx, tfjs) and the ONNX graph builder.
export const inferenceErrorCodes = [
  'E_BACKEND_UNAVAILABLE',
  'E_BACKEND_PROVIDER',
  'E_BACKEND_RUN',
  'E_INPUT_SHAPE',
] as const;
