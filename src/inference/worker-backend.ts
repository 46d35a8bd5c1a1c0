import { Worker } from 'node:worker_threads';
import { TsnError } from '../errors/index.js';
import type { Model } from '../model/types.js';
import type { Backend, BackendOptions } from './backend.js';
import { checkFeatures, checkImages } from './check-input.js';
import { createConsensusHead } from './consensus-head.js';
import {
  type BackendInfo,
  type WorkerInit,
  type WorkerMessage,
  type WorkerRequest,
  deserializeError,
} from './worker-protocol.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

interface Pending {
  resolve(data: Float32Array | undefined): void;
  reject(error: TsnError): void;
}

/** Starts the worker and waits for its backend to open (or fail with the backend's own error code). */
function startWorker(model: Model, options: BackendOptions): Promise<{ worker: Worker; info: BackendInfo }> {
  // Only plain data crosses: a richer object (e.g. a conversion result) may carry fields that do not clone.
  const { dir, id, manifest, weights, labels } = model;
  const init: WorkerInit = { model: { dir, id, manifest, weights, labels }, options: { ...options } };
  const worker = new Worker(new URL('./backend-worker.js', import.meta.url), { workerData: init });
  return new Promise((resolve, reject) => {
    const onMessage = (message: WorkerMessage): void => {
      worker.off('error', onError);
      worker.off('exit', onExit);
      if (message.type === 'ready') resolve({ worker, info: message.info });
      else {
        const error =
          message.type === 'failed' ? message.error : { message: `unexpected first message ${message.type}` };
        reject(deserializeError(error, 'E_BACKEND_UNAVAILABLE'));
        void worker.terminate();
      }
    };
    const onError = (error: Error): void => {
      worker.off('message', onMessage);
      reject(
        new TsnError('E_BACKEND_UNAVAILABLE', 'The inference worker failed to start.', { cause: error }),
      );
    };
    const onExit = (exitCode: number): void => {
      worker.off('message', onMessage);
      reject(
        new TsnError(
          'E_BACKEND_UNAVAILABLE',
          `The inference worker exited (code ${exitCode}) while starting.`,
        ),
      );
    };
    worker.once('message', onMessage);
    worker.once('error', onError);
    worker.once('exit', onExit);
  });
}

/**
 * A Backend whose runtime lives in a worker thread. onnxruntime-node and tfjs-wasm compute synchronously
 * on the calling thread (a ResNet-50 batch of 16 takes seconds on CPU), which would freeze every socket
 * and pipe of the service; here the main thread only posts and awaits. Inputs are copied to the worker
 * (the caller keeps its buffers, which may be views into larger ones); outputs are transferred back.
 */
export async function createWorkerBackend(model: Model, options: BackendOptions): Promise<Backend> {
  const { worker, info } = await startWorker(model, options);
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let stopped: TsnError | undefined;
  let closing: Promise<void> | undefined;

  const failAll = (error: TsnError): void => {
    stopped ??= error;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  worker.on('message', (message: WorkerMessage) => {
    if (message.type !== 'result' && message.type !== 'error') return;
    const p = pending.get(message.id);
    pending.delete(message.id);
    if (message.type === 'result') p?.resolve(message.data);
    else p?.reject(deserializeError(message.error, 'E_BACKEND_RUN'));
  });
  worker.on('error', (error) => {
    failAll(
      new TsnError('E_BACKEND_RUN', 'The inference worker crashed; recreate the backend.', { cause: error }),
    );
  });
  worker.on('exit', (exitCode) => {
    failAll(
      new TsnError('E_BACKEND_RUN', `The inference worker exited (code ${exitCode}); recreate the backend.`),
    );
  });

  const post = (request: DistributiveOmit<WorkerRequest, 'id'>): Promise<Float32Array | undefined> => {
    if (stopped) return Promise.reject(stopped);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      // Cloning a subarray view would copy its whole underlying buffer; copy just the view, then move it.
      const data = 'data' in request ? request.data.slice() : undefined;
      worker.postMessage({ ...request, id, ...(data ? { data } : {}) }, data ? [data.buffer] : []);
    });
  };
  const call = (request: DistributiveOmit<WorkerRequest, 'id'>): Promise<Float32Array | undefined> =>
    closing
      ? Promise.reject(new TsnError('E_BACKEND_RUN', 'The backend was closed; create a new one.'))
      : post(request);
  const floats = async (request: DistributiveOmit<WorkerRequest, 'id'>): Promise<Float32Array> =>
    (await call(request)) ?? new Float32Array(0);
  // The head stays on this thread: behind a running backbone call in the worker's queue, a sub-millisecond
  // fc would wait hundreds of milliseconds and windows would pile up under load.
  const head = createConsensusHead(model.weights, info.featureDim, info.numClasses);

  return {
    ...info,
    async features(images, count) {
      checkImages(images, count, info.inputSize);
      return floats({ op: 'features', data: images, count });
    },
    async head(features, windows, perWindow) {
      checkFeatures(features, windows, perWindow, info.featureDim);
      if (stopped ?? closing)
        throw stopped ?? new TsnError('E_BACKEND_RUN', 'The backend was closed; create a new one.');
      return head(features, windows, perWindow);
    },
    close() {
      closing ??= (async () => {
        // Requests already posted finish first: the worker serves its queue in order.
        await post({ op: 'close' }).catch(() => undefined);
        await worker.terminate();
        failAll(new TsnError('E_BACKEND_RUN', 'The backend was closed; create a new one.'));
      })();
      return closing;
    },
  };
}
