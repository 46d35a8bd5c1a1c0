// Worker-thread entry of an external clip model (clip-worker-runner.ts starts it): one session, requests
// served in arrival order.
import { parentPort, workerData } from 'node:worker_threads';
import { serializeError } from '../worker-protocol.js';
import { createInProcessClipRunner, type ClipRunner, type OnnxClipRunnerOptions } from './clip-model.js';
import type { ClipWorkerMessage, ClipWorkerRequest } from './clip-worker-runner.js';

function requirePort(): NonNullable<typeof parentPort> {
  if (parentPort === null) throw new Error('clip-worker.js must run in a worker thread');
  return parentPort;
}
const port = requirePort();
const send = (message: ClipWorkerMessage, transfer: ArrayBuffer[] = []) =>
  port.postMessage(message, transfer);

async function serve(runner: ClipRunner): Promise<void> {
  const { description, inputSize, numClasses, fixedTimeSteps } = runner;
  send({ type: 'ready', info: { description, inputSize, numClasses, fixedTimeSteps } });
  port.on('message', (request: ClipWorkerRequest) => {
    if (request.op === 'close') {
      void runner.close().finally(() => send({ type: 'result', id: request.id }));
      return;
    }
    runner.clip(request.data, request.windows, request.timeSteps).then(
      (output) => {
        // A private copy: runtime output buffers may be external, and transfer detaches them.
        const data = output.slice();
        send({ type: 'result', id: request.id, data }, [data.buffer]);
      },
      (error: unknown) => send({ type: 'error', id: request.id, error: serializeError(error) }),
    );
  });
}

const options = workerData as OnnxClipRunnerOptions;
createInProcessClipRunner({ ...options, thread: 'main' }).then(serve, (error: unknown) =>
  send({ type: 'failed', error: serializeError(error) }),
);
