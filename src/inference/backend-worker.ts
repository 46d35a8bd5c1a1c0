// Worker thread entry: hosts one backend so its synchronous native/wasm runs never block the main
// event loop (camera pipes, NATS, WebSocket). Requests are served one at a time, in arrival order.
import { parentPort, workerData } from 'node:worker_threads';
import type { Backend } from './backend.js';
import { createLocalBackend } from './local-backend.js';
import {
  type WorkerInit,
  type WorkerMessage,
  type WorkerRequest,
  serializeError,
} from './worker-protocol.js';

const port = parentPort;
if (port === null) throw new Error('backend-worker.js must run as a worker thread');

function send(message: WorkerMessage): void {
  const transfer = 'data' in message && message.data ? [message.data.buffer as ArrayBuffer] : [];
  port?.postMessage(message, transfer);
}

async function serve(backend: Backend, request: WorkerRequest): Promise<Float32Array | undefined> {
  switch (request.op) {
    case 'features':
      return backend.features(request.data, request.count);
    case 'close':
      await backend.close();
      return undefined;
  }
}

async function start(init: WorkerInit): Promise<void> {
  let backend: Backend;
  try {
    backend = await createLocalBackend(init.model, init.options);
  } catch (error) {
    send({ type: 'failed', error: serializeError(error) });
    port?.close();
    return;
  }
  const { name, description, featureDim, numClasses, inputSize } = backend;
  let queue = Promise.resolve();
  port?.on('message', (request: WorkerRequest) => {
    queue = queue.then(async () => {
      try {
        const data = await serve(backend, request);
        // A private copy: runtime output buffers may be shared or external, and transfer detaches them.
        send({ type: 'result', id: request.id, ...(data ? { data: data.slice() } : {}) });
        if (request.op === 'close') port?.close();
      } catch (error) {
        send({ type: 'error', id: request.id, error: serializeError(error) });
      }
    });
  });
  send({ type: 'ready', info: { name, description, featureDim, numClasses, inputSize } });
}

await start(workerData as WorkerInit);
