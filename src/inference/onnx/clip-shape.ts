import { TsnError } from '../../errors/index.js';

/** Both threads' check that windows of T images fit a clip model whose T may be fixed. */
export function timeStepsChecker(
  modelPath: string,
  fixedTimeSteps: number | undefined,
): (timeSteps: number) => void {
  return (timeSteps) => {
    if (fixedTimeSteps === undefined || fixedTimeSteps === timeSteps) return;
    throw new TsnError(
      'E_INPUT_SHAPE',
      `${modelPath} takes T = ${fixedTimeSteps} images per window, but windows have T = ${timeSteps} (numSeg x views); set the cameras' numSeg and crop so that numSeg x views = ${fixedTimeSteps}.`,
      { context: { expected: fixedTimeSteps, actual: timeSteps, model: modelPath } },
    );
  };
}
