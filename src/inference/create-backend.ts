import type { Model } from '../model/types.js';
import type { Backend, BackendOptions } from './backend.js';
import { createLocalBackend } from './local-backend.js';
import { createWorkerBackend } from './worker-backend.js';

/**
 * Opens the inference backend for a model: onnx (default in configs) or tfjs, in a worker thread unless
 * options.thread is 'main'. Errors: E_BACKEND_UNAVAILABLE (runtime or depth not available),
 * E_BACKEND_PROVIDER (strict provider request the host cannot meet), E_MODEL_WEIGHTS (weights do not
 * fit the manifest); the Backend's calls reject with E_INPUT_SHAPE or E_BACKEND_RUN.
 */
export function createBackend(model: Model, options: BackendOptions): Promise<Backend> {
  return options.thread === 'main' ? createLocalBackend(model, options) : createWorkerBackend(model, options);
}
