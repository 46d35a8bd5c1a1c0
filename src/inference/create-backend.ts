import { TsnError } from '../errors/index.js';
import type { Model } from '../model/types.js';
import type { Backend, BackendOptions } from './backend.js';
import { createLocalBackend } from './local-backend.js';
import { createWorkerBackend } from './worker-backend.js';

/**
 * Opens the inference backend for a model: onnx (default in configs) or tfjs, in a worker thread unless
 * options.thread is 'main'. Errors: E_BACKEND_UNAVAILABLE (runtime or depth not available, or an int8
 * model on a backend other than onnx), E_BACKEND_PROVIDER (strict provider request the host cannot
 * meet), E_MODEL_WEIGHTS (weights do not fit the manifest); the Backend's calls reject with
 * E_INPUT_SHAPE or E_BACKEND_RUN.
 */
export function createBackend(model: Model, options: BackendOptions): Promise<Backend> {
  if (model.manifest.precision === 'int8' && options.backend !== 'onnx') {
    return Promise.reject(
      new TsnError(
        'E_BACKEND_UNAVAILABLE',
        `${model.id} is an int8 model (tsn quantize); only the onnx backend runs int8: use backend onnx, or the float32 model with ${options.backend}.`,
        { context: { backend: options.backend, precision: 'int8' } },
      ),
    );
  }
  return options.thread === 'main' ? createLocalBackend(model, options) : createWorkerBackend(model, options);
}
