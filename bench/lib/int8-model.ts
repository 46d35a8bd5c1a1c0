import { calibrate } from '../../src/inference/quantize/calibrate.js';
import { gaussianSource } from '../../src/inference/resnet/random-weights.js';
import type { CalibrationMethod, Model } from '../../src/model/types.js';

/**
 * The int8 twin of a (random-weight) bench model, calibrated on a few N(0,1) images: enough for
 * throughput (the integer kernels cost the same whatever the ranges); accuracy is measured elsewhere
 * (bench/quantize-accuracy.ts) on real footage.
 */
export async function int8Twin(
  model: Model,
  options: { images?: number; method?: CalibrationMethod; threads?: number } = {},
): Promise<Model> {
  const size = model.manifest.inputSize;
  const count = options.images ?? 4;
  const rng = gaussianSource(99);
  const images = new Float32Array(count * 3 * size * size).map(() => rng.normal());
  const quantization = await calibrate({
    model,
    method: options.method ?? 'minmax',
    batches: [{ images, count }],
    clips: ['random N(0,1) images'],
    threads: options.threads ?? 0,
  });
  return {
    ...model,
    id: `${model.id}-int8`,
    manifest: { ...model.manifest, precision: 'int8', quantization },
  };
}
