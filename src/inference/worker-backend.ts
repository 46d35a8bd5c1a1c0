import type { Model } from '../model/types.js';
import type { Backend, BackendOptions } from './backend.js';
import { checkFeatures, checkImages } from './check-input.js';
import { createConsensusHead } from './consensus-head.js';
import type { BackendInfo, WorkerInit, WorkerRequest } from './worker-protocol.js';
import { startWorkerRpc } from './worker-rpc.js';

/**
 * A Backend whose runtime lives in worker threads (over worker-rpc.ts). onnxruntime-node and tfjs-wasm
 * compute synchronously on the calling thread (a ResNet-50 batch of 16 takes seconds on CPU), which would
 * freeze every socket and pipe of the service; here the main thread only posts and awaits.
 *
 * options.workers > 1 opens one session per worker and sends each backbone call to the least busy one, so
 * that many single-threaded calls run side by side (the caller keeps up to that many in flight).
 */
export async function createWorkerBackend(model: Model, options: BackendOptions): Promise<Backend> {
  // Only plain data crosses: a richer object (e.g. a conversion result) may carry fields that do not clone.
  const { dir, id, manifest, weights, labels } = model;
  const init: WorkerInit = { model: { dir, id, manifest, weights, labels }, options: { ...options } };
  const started = await Promise.allSettled(
    Array.from({ length: Math.max(1, options.workers ?? 1) }, () =>
      startWorkerRpc<WorkerRequest, BackendInfo>({
        script: new URL('./backend-worker.js', import.meta.url),
        workerData: init,
        name: 'inference worker',
        afterCrash: 'recreate the backend',
        closedMessage: 'The backend was closed; create a new one.',
      }),
    ),
  );
  const rpcs = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed !== undefined) {
    await Promise.all(rpcs.map((rpc) => rpc.close()));
    throw failed.reason;
  }
  const pool = new LeastBusy(rpcs);
  const { info } = pool.first;
  // The head stays on this thread: behind a running backbone call in the worker's queue, a sub-millisecond
  // fc would wait hundreds of milliseconds and windows would pile up under load.
  const head = createConsensusHead(model.weights, info.featureDim, info.numClasses);

  return {
    ...info,
    async features(images, count, handOver = false) {
      checkImages(images, count, info.inputSize);
      const data = await pool.run((rpc) => rpc.call({ op: 'features', data: images, count }, handOver));
      return data ?? new Float32Array(0);
    },
    async head(features, windows, perWindow) {
      checkFeatures(features, windows, perWindow, info.featureDim);
      const unusable = pool.unusable;
      if (unusable !== undefined) throw unusable;
      return head(features, windows, perWindow);
    },
    close: async () => {
      await Promise.all(rpcs.map((rpc) => rpc.close()));
    },
  };
}

/** Workers with the count of calls each is serving; a call goes to the one serving fewest. */
export class LeastBusy<W extends { readonly unusable: Error | undefined }> {
  private readonly busy: number[];

  constructor(private readonly rpcs: readonly W[]) {
    this.busy = rpcs.map(() => 0);
  }

  get first(): W {
    return this.rpcs[0] as W;
  }

  /** A worker that died makes the whole backend unusable: the caller recreates it, as with one worker. */
  get unusable() {
    return this.rpcs.find((rpc) => rpc.unusable !== undefined)?.unusable;
  }

  async run<T>(call: (rpc: W) => Promise<T>): Promise<T> {
    const unusable = this.unusable;
    if (unusable !== undefined) throw unusable;
    let k = 0;
    this.busy.forEach((n, i) => {
      if (n < (this.busy[k] as number)) k = i;
    });
    this.busy[k] = (this.busy[k] as number) + 1;
    try {
      return await call(this.rpcs[k] as W);
    } finally {
      this.busy[k] = (this.busy[k] as number) - 1;
    }
  }
}
