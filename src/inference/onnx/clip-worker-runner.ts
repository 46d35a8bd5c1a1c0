// The calling thread's side of a clip model in a worker thread: posts windows (copied, the caller keeps
// its buffer), awaits logits (transferred). Shape checks run here too, so bad calls never cross threads.
import { Worker } from 'node:worker_threads';
import { TsnError } from '../../errors/index.js';
import { deserializeError, type SerializedError } from '../worker-protocol.js';
import type { ClipRunner, OnnxClipRunnerOptions } from './clip-model.js';
import { timeStepsChecker } from './clip-shape.js';

export interface ClipRunnerInfo {
  readonly description: string;
  readonly inputSize: number;
  readonly numClasses: number;
  readonly fixedTimeSteps: number | undefined;
}

export type ClipWorkerRequest =
  | {
      readonly id: number;
      readonly op: 'clip';
      readonly data: Float32Array;
      readonly windows: number;
      readonly timeSteps: number;
    }
  | { readonly id: number; readonly op: 'close' };

export type ClipWorkerMessage =
  | { readonly type: 'ready'; readonly info: ClipRunnerInfo }
  | { readonly type: 'failed'; readonly error: SerializedError }
  | { readonly type: 'result'; readonly id: number; readonly data?: Float32Array }
  | { readonly type: 'error'; readonly id: number; readonly error: SerializedError };

interface Pending {
  resolve(data: Float32Array | undefined): void;
  reject(error: TsnError): void;
}

function start(options: OnnxClipRunnerOptions): Promise<{ worker: Worker; info: ClipRunnerInfo }> {
  const worker = new Worker(new URL('./clip-worker.js', import.meta.url), { workerData: { ...options } });
  return new Promise((resolve, reject) => {
    // Only our own listeners come off: removeAllListeners would also drop the ones Node uses to ref the port.
    const detach = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const fail = (error: TsnError) => {
      detach();
      void worker.terminate();
      reject(error);
    };
    const onMessage = (message: ClipWorkerMessage) => {
      if (message.type === 'ready') {
        detach();
        resolve({ worker, info: message.info });
      } else if (message.type === 'failed') fail(deserializeError(message.error, 'E_BACKEND_UNAVAILABLE'));
      else fail(new TsnError('E_BACKEND_UNAVAILABLE', `clip worker sent ${message.type} before ready`));
    };
    const onError = (cause: Error) =>
      fail(new TsnError('E_BACKEND_UNAVAILABLE', 'The clip model worker failed to start.', { cause }));
    const onExit = (code: number) =>
      fail(
        new TsnError('E_BACKEND_UNAVAILABLE', `The clip model worker exited (code ${code}) while starting.`),
      );
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

export async function startClipWorker(options: OnnxClipRunnerOptions): Promise<ClipRunner> {
  const { worker, info } = await start(options);
  const pending = new Map<number, Pending>();
  const checkTimeSteps = timeStepsChecker(options.modelPath, info.fixedTimeSteps);
  let nextId = 1;
  let stopped: TsnError | undefined;
  let closing: Promise<void> | undefined;
  const failAll = (error: TsnError) => {
    stopped ??= error;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  worker.on('message', (message: ClipWorkerMessage) => {
    if (message.type !== 'result' && message.type !== 'error') return;
    const p = pending.get(message.id);
    pending.delete(message.id);
    if (message.type === 'result') p?.resolve(message.data);
    else p?.reject(deserializeError(message.error, 'E_BACKEND_RUN'));
  });
  worker.on('error', (cause) =>
    failAll(new TsnError('E_BACKEND_RUN', 'The clip model worker crashed; restart the service.', { cause })),
  );
  worker.on('exit', (code) =>
    failAll(new TsnError('E_BACKEND_RUN', `The clip model worker exited (code ${code}).`)),
  );
  const post = (request: ClipWorkerRequest, transfer: ArrayBuffer[]): Promise<Float32Array | undefined> =>
    stopped
      ? Promise.reject(stopped)
      : new Promise((resolve, reject) => {
          pending.set(request.id, { resolve, reject });
          worker.postMessage(request, transfer);
        });
  return {
    ...info,
    checkTimeSteps,
    async clip(images, windows, timeSteps) {
      checkTimeSteps(timeSteps);
      const expected = windows * timeSteps * 3 * info.inputSize * info.inputSize;
      if (!Number.isInteger(windows) || windows < 0 || images.length !== expected) {
        throw new TsnError(
          'E_INPUT_SHAPE',
          `clip images hold ${images.length} floats; ${windows} windows x ${timeSteps} x 3 x ${info.inputSize} x ${info.inputSize} need ${expected}`,
          { context: { expected, actual: images.length } },
        );
      }
      if (closing) throw new TsnError('E_BACKEND_RUN', 'The clip model was closed.');
      if (windows === 0) return new Float32Array(0);
      // Cloning a view would copy its whole underlying buffer: copy just the view, then move it.
      const data = images.slice();
      const logits = await post({ id: nextId++, op: 'clip', data, windows, timeSteps }, [data.buffer]);
      return logits ?? new Float32Array(0);
    },
    close() {
      closing ??= (async () => {
        // Calls already posted finish first: the worker serves its queue in order.
        await post({ id: nextId++, op: 'close' }, []).catch(() => undefined);
        await worker.terminate();
        failAll(new TsnError('E_BACKEND_RUN', 'The clip model was closed.'));
      })();
      return closing;
    },
  };
}
