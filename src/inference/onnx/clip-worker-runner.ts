// The calling thread's side of a clip model in a worker thread (over worker-rpc.ts). Shape checks run here,
// so bad calls never cross threads.
import { TsnError } from '../../errors/index.js';
import { startWorkerRpc } from '../worker-rpc.js';
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

export async function startClipWorker(options: OnnxClipRunnerOptions): Promise<ClipRunner> {
  const rpc = await startWorkerRpc<ClipWorkerRequest, ClipRunnerInfo>({
    script: new URL('./clip-worker.js', import.meta.url),
    workerData: { ...options },
    name: 'clip model worker',
    afterCrash: 'restart the service',
    closedMessage: 'The clip model was closed.',
  });
  const { info } = rpc;
  const checkTimeSteps = timeStepsChecker(options.modelPath, info.fixedTimeSteps);
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
      if (windows === 0 && rpc.unusable === undefined) return new Float32Array(0);
      const logits = await rpc.call({ op: 'clip', data: images, windows, timeSteps });
      return logits ?? new Float32Array(0);
    },
    close: () => rpc.close(),
  };
}
