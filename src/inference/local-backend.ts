import { TsnError, isTsnError } from '../errors/index.js';
import type { Model } from '../model/types.js';
import type { Backend, BackendOptions } from './backend.js';
import { supportedDepths } from './resnet/plan.js';

/**
 * Opens a backend on the calling thread. Each runtime is imported only when chosen, so a host whose
 * onnxruntime binary or tfjs package is broken still runs the other one.
 */
export async function createLocalBackend(model: Model, options: BackendOptions): Promise<Backend> {
  if (!supportedDepths.includes(model.manifest.depth)) {
    throw new TsnError(
      'E_BACKEND_UNAVAILABLE',
      `No backend builds a ResNet of depth ${model.manifest.depth}.`,
      {
        context: { depth: model.manifest.depth, supported: supportedDepths },
      },
    );
  }
  const factory = await loadFactory(options.backend);
  return factory(model, options);
}

async function loadFactory(
  name: BackendOptions['backend'],
): Promise<(m: Model, o: BackendOptions) => Promise<Backend>> {
  try {
    if (name === 'onnx') return (await import('./onnx/onnx-backend.js')).createOnnxBackend;
    if (name === 'tfjs') return (await import('./tfjs/tfjs-backend.js')).createTfjsBackend;
  } catch (error) {
    if (isTsnError(error)) throw error;
    throw new TsnError(
      'E_BACKEND_UNAVAILABLE',
      `The ${name} inference runtime failed to load; reinstall it or pick the other backend.`,
      { cause: error, context: { backend: name } },
    );
  }
  throw new TsnError('E_BACKEND_UNAVAILABLE', `Unknown backend "${String(name)}"; use onnx or tfjs.`, {
    context: { backend: name },
  });
}
