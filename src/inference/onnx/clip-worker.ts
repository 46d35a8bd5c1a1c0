// Worker-thread entry of an external clip model (clip-worker-runner.ts starts it): one session; each request
// is handed to the session on arrival, as before the RPC was shared.
import { workerData } from 'node:worker_threads';
import { serveWorkerRpc } from '../worker-rpc.js';
import { createInProcessClipRunner, type OnnxClipRunnerOptions } from './clip-model.js';
import type { ClipRunnerInfo, ClipWorkerRequest } from './clip-worker-runner.js';

const options = workerData as OnnxClipRunnerOptions;
await serveWorkerRpc<ClipWorkerRequest, ClipRunnerInfo>(
  async () => {
    const runner = await createInProcessClipRunner({ ...options, thread: 'main' });
    const { description, inputSize, numClasses, fixedTimeSteps } = runner;
    return {
      info: { description, inputSize, numClasses, fixedTimeSteps },
      handle: (request) =>
        request.op === 'clip'
          ? runner.clip(request.data, request.windows, request.timeSteps)
          : Promise.resolve(undefined),
      close: () => runner.close(),
    };
  },
  { inOrder: false },
);
