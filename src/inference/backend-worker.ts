// Worker thread entry: hosts one backend so its synchronous native/wasm runs never block the main
// event loop (camera pipes, NATS, WebSocket). Requests are served one at a time, in arrival order.
import { workerData } from 'node:worker_threads';
import { createLocalBackend } from './local-backend.js';
import type { BackendInfo, WorkerInit, WorkerRequest } from './worker-protocol.js';
import { serveWorkerRpc } from './worker-rpc.js';

const init = workerData as WorkerInit;
await serveWorkerRpc<WorkerRequest, BackendInfo>(
  async () => {
    const backend = await createLocalBackend(init.model, init.options);
    const { name, description, featureDim, numClasses, inputSize } = backend;
    return {
      info: { name, description, featureDim, numClasses, inputSize },
      handle: (request) =>
        request.op === 'features'
          ? backend.features(request.data, request.count)
          : Promise.resolve(undefined),
      close: () => backend.close(),
    };
  },
  { inOrder: true },
);
