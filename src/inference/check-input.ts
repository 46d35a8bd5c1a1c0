import { TsnError } from '../errors/index.js';

function checkCount(what: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new TsnError('E_INPUT_SHAPE', `${what} must be an integer >= ${min}, got ${value}.`, {
      context: { [what]: value },
    });
  }
}

/** images must hold count x 3 x inputSize x inputSize floats (NCHW). */
export function checkImages(images: Float32Array, count: number, inputSize: number): void {
  checkCount('count', count, 0);
  const expected = count * 3 * inputSize * inputSize;
  if (images.length !== expected) {
    throw new TsnError(
      'E_INPUT_SHAPE',
      `Backbone input has ${images.length} floats but ${count} images of 3x${inputSize}x${inputSize} ` +
        `need ${expected}; crop frames to ${inputSize}x${inputSize} and pass the image count.`,
      { context: { length: images.length, count, inputSize, expected } },
    );
  }
}

/** features must hold windows x perWindow x featureDim floats. */
export function checkFeatures(
  features: Float32Array,
  windows: number,
  perWindow: number,
  featureDim: number,
): void {
  checkCount('windows', windows, 0);
  checkCount('perWindow', perWindow, 1);
  const expected = windows * perWindow * featureDim;
  if (features.length !== expected) {
    throw new TsnError(
      'E_INPUT_SHAPE',
      `Head input has ${features.length} floats but ${windows} windows x ${perWindow} features x ` +
        `${featureDim} need ${expected}.`,
      { context: { length: features.length, windows, perWindow, featureDim, expected } },
    );
  }
}
