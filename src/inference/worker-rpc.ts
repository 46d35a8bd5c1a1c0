// The one worker-thread RPC behind the inference backend and the clip model: the calling thread posts
// numbered requests and awaits Float32Array results; the worker opens its runtime, answers `ready` (or
// `failed`), then serves requests. Float inputs are copied (the caller keeps its buffer, which may be a view
// into a larger one) and moved across; outputs are moved back. Errors cross as SerializedError and keep their
// project code.
import { parentPort, Worker } from 'node:worker_threads';
import { TsnError } from '../errors/index.js';
import { deserializeError, serializeError, type SerializedError } from './worker-protocol.js';

/** Every request carries an id and an op; `close` is understood by every worker. */
export interface RpcRequest {
  readonly id: number;
  readonly op: string;
  readonly data?: Float32Array;
}

export type RpcMessage<Info> =
  | { readonly type: 'ready'; readonly info: Info }
  | { readonly type: 'failed'; readonly error: SerializedError }
  | { readonly type: 'result'; readonly id: number; readonly data?: Float32Array }
  | { readonly type: 'error'; readonly id: number; readonly error: SerializedError };

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export interface WorkerRpcOptions {
  /** The worker's entry module. */
  readonly script: URL;
  readonly workerData: unknown;
  /** For messages: 'inference worker', 'clip model worker'. */
  readonly name: string;
  /** What the user should do once the worker is gone, e.g. 'recreate the backend'. */
  readonly afterCrash: string;
  /** The message of calls made after close(). */
  readonly closedMessage: string;
}

export interface WorkerRpc<Req extends RpcRequest, Info> {
  readonly info: Info;
  /** Why calls cannot run any more (the worker died or close() was called), else undefined. */
  readonly unusable: TsnError | undefined;
  /** handOver: the caller gives `request.data` up, so a whole buffer is moved instead of copied. */
  call(request: DistributiveOmit<Req, 'id'>, handOver?: boolean): Promise<Float32Array | undefined>;
  /** Requests already posted finish first (the worker serves its queue in order), then the worker ends. */
  close(): Promise<void>;
}

/** Starts the worker and waits for its runtime to open (or fail with the runtime's own error code). */
function start<Info>(options: WorkerRpcOptions): Promise<{ worker: Worker; info: Info }> {
  const worker = new Worker(options.script, { workerData: options.workerData });
  return new Promise((resolve, reject) => {
    // Only our own listeners come off: removeAllListeners would also drop the ones Node uses to ref the port.
    const detach = (): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const fail = (error: TsnError): void => {
      detach();
      void worker.terminate();
      reject(error);
    };
    const onMessage = (message: RpcMessage<Info>): void => {
      if (message.type === 'ready') {
        detach();
        resolve({ worker, info: message.info });
      } else if (message.type === 'failed') fail(deserializeError(message.error, 'E_BACKEND_UNAVAILABLE'));
      else
        fail(new TsnError('E_BACKEND_UNAVAILABLE', `The ${options.name} sent ${message.type} before ready.`));
    };
    const onError = (cause: Error): void =>
      fail(new TsnError('E_BACKEND_UNAVAILABLE', `The ${options.name} failed to start.`, { cause }));
    const onExit = (exitCode: number): void =>
      fail(
        new TsnError(
          'E_BACKEND_UNAVAILABLE',
          `The ${options.name} exited (code ${exitCode}) while starting.`,
        ),
      );
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

export async function startWorkerRpc<Req extends RpcRequest, Info>(
  options: WorkerRpcOptions,
): Promise<WorkerRpc<Req, Info>> {
  const { worker, info } = await start<Info>(options);
  const pending = new Map<number, { resolve(data?: Float32Array): void; reject(error: TsnError): void }>();
  let nextId = 1;
  let stopped: TsnError | undefined;
  let closing: Promise<void> | undefined;
  const closedError = (): TsnError => new TsnError('E_BACKEND_RUN', options.closedMessage);

  const failAll = (error: TsnError): void => {
    stopped ??= error;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  worker.on('message', (message: RpcMessage<Info>) => {
    if (message.type !== 'result' && message.type !== 'error') return;
    const p = pending.get(message.id);
    pending.delete(message.id);
    if (message.type === 'result') p?.resolve(message.data);
    else p?.reject(deserializeError(message.error, 'E_BACKEND_RUN'));
  });
  worker.on('error', (cause) =>
    failAll(new TsnError('E_BACKEND_RUN', `The ${options.name} crashed; ${options.afterCrash}.`, { cause })),
  );
  worker.on('exit', (exitCode) =>
    failAll(
      new TsnError('E_BACKEND_RUN', `The ${options.name} exited (code ${exitCode}); ${options.afterCrash}.`),
    ),
  );

  const post = (
    request: DistributiveOmit<Req, 'id'>,
    handOver = false,
  ): Promise<Float32Array | undefined> => {
    if (stopped) return Promise.reject(stopped);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      // Cloning a subarray view would copy its whole underlying buffer; copy just the view, then move it.
      const data = handOver && isWholeBuffer(request.data) ? request.data : request.data?.slice();
      worker.postMessage({ ...request, id, ...(data ? { data } : {}) }, data ? [data.buffer] : []);
    });
  };

  return {
    info,
    get unusable() {
      return stopped ?? (closing ? closedError() : undefined);
    },
    call: (request, handOver) => (closing ? Promise.reject(closedError()) : post(request, handOver)),
    close() {
      closing ??= (async () => {
        await post({ op: 'close' } as DistributiveOmit<Req, 'id'>).catch(() => undefined);
        await worker.terminate();
        failAll(closedError());
      })();
      return closing;
    },
  };
}

function isWholeBuffer(data: Float32Array | undefined): data is Float32Array<ArrayBuffer> {
  return (
    data !== undefined &&
    data.buffer instanceof ArrayBuffer &&
    data.byteOffset === 0 &&
    data.byteLength === data.buffer.byteLength
  );
}

/** The worker's side: what it serves once its runtime is open. */
export interface RpcServer<Req extends RpcRequest, Info> {
  readonly info: Info;
  handle(request: Req): Promise<Float32Array | undefined>;
  close(): Promise<void>;
}

/**
 * Runs in the worker: opens the runtime, answers ready/failed, then serves requests. `inOrder` serves one at
 * a time in arrival order (a runtime that computes synchronously gains nothing from overlap); otherwise
 * each request starts on arrival.
 */
export async function serveWorkerRpc<Req extends RpcRequest, Info>(
  open: () => Promise<RpcServer<Req, Info>>,
  options: { readonly inOrder: boolean },
): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('this module must run as a worker thread');
  const send = (message: RpcMessage<Info>, transfer: ArrayBuffer[] = []): void =>
    port.postMessage(message, transfer);
  let server: RpcServer<Req, Info>;
  try {
    server = await open();
  } catch (error) {
    send({ type: 'failed', error: serializeError(error) });
    port.close();
    return;
  }
  const answer = async (request: Req): Promise<void> => {
    try {
      if (request.op === 'close') {
        await server.close();
        send({ type: 'result', id: request.id });
        port.close();
        return;
      }
      const output = await server.handle(request);
      // A private copy: runtime output buffers may be shared or external, and transfer detaches them.
      const data = output?.slice();
      send({ type: 'result', id: request.id, ...(data ? { data } : {}) }, data ? [data.buffer] : []);
    } catch (error) {
      send({ type: 'error', id: request.id, error: serializeError(error) });
    }
  };
  let queue = Promise.resolve();
  port.on('message', (request: Req) => {
    if (options.inOrder) queue = queue.then(() => answer(request));
    else void answer(request);
  });
  send({ type: 'ready', info: server.info });
}
