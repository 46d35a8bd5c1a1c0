import type { Model } from '../model/types.js';
import type { Backend, BackendOptions } from './backend.js';
import { checkFeatures, checkImages } from './check-input.js';
import { createConsensusHead } from './consensus-head.js';
import type { BackendInfo, WorkerInit, WorkerRequest } from './worker-protocol.js';
import { startWorkerRpc } from './worker-rpc.js';

/**
 * A Backend whose runtime lives in a worker thread (over worker-rpc.ts). onnxruntime-node and tfjs-wasm
 * compute synchronously on the calling thread (a ResNet-50 batch of 16 takes seconds on CPU), which would
 * freeze every socket and pipe of the service; here the main thread only posts and awaits.
 */
export async function createWorkerBackend(model: Model, options: BackendOptions): Promise<Backend> {
  // Only plain data crosses: a richer object (e.g. a conversion result) may carry fields that do not clone.
  const { dir, id, manifest, weights, labels } = model;
  const init: WorkerInit = { model: { dir, id, manifest, weights, labels }, options: { ...options } };
  const rpc = await startWorkerRpc<WorkerRequest, BackendInfo>({
    script: new URL('./backend-worker.js', import.meta.url),
    workerData: init,
    name: 'inference worker',
    afterCrash: 'recreate the backend',
    closedMessage: 'The backend was closed; create a new one.',
  });
  const { info } = rpc;
  // The head stays on this thread: behind a running backbone call in the worker's queue, a sub-millisecond
  // fc would wait hundreds of milliseconds and windows would pile up under load.
  const head = createConsensusHead(model.weights, info.featureDim, info.numClasses);

  return {
    ...info,
    async features(images, count) {
      checkImages(images, count, info.inputSize);
      return (await rpc.call({ op: 'features', data: images, count })) ?? new Float32Array(0);
    },
    async head(features, windows, perWindow) {
      checkFeatures(features, windows, perWindow, info.featureDim);
      const unusable = rpc.unusable;
      if (unusable !== undefined) throw unusable;
      return head(features, windows, perWindow);
    },
    close: () => rpc.close(),
  };
}
