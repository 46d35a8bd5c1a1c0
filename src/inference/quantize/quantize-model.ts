import { basename, resolve } from 'node:path';
import { TsnError } from '../../errors/index.js';
import { isInside, modelId, refuseExistingOutput, writeModelDir } from '../../model/model-dir.js';
import type { CalibrationMethod, Model, ModelManifest, QuantizationInfo } from '../../model/types.js';
import { hostCpu } from '../onnx/host-cpu.js';
import { resnetPlan } from '../resnet/plan.js';
import { decodeForModel } from '../predict-video.js';
import {
  createNormalizer,
  cropViews,
  imageFloats,
  writeClipImages,
  type CropMode,
} from '../preprocess/index.js';
import { biasCorrection } from './bias-correction.js';
import { calibrate, channelStats } from './calibrate.js';
import { type Equalization, equalizationGroups, equalizeWeights, groupScales } from './equalize.js';
import { chooseEqualization } from './equalize-choice.js';
import { qdqTarget } from './qdq-graph.js';
import type { CpuFeatures, Int8WeightLimit } from './weight-limit.js';

export interface QuantizeOptions {
  readonly model: Model;
  readonly videos: readonly string[];
  readonly outDir: string;
  readonly method: CalibrationMethod;
  readonly ffmpegPath: string;
  /** Frames sampled per clip (default: the model's defaultNumSeg). */
  readonly numSeg?: number;
  /** Views per frame, as predict/serve crop them (default center). */
  readonly crop?: CropMode;
  readonly threads: number;
  readonly force?: boolean;
  readonly batchSize?: number;
  /** Bias correction after calibration (default true; false: the table has no biasCorrection). */
  readonly biasCorrection?: boolean;
  /**
   * Activation equalisation before calibration (false: the table has no equalization). Default: where
   * this CPU's kernels take 8-bit weights; with 7-bit ones (x86 without VNNI) it measured worse margins.
   */
  readonly equalize?: boolean;
  /** One strength for every group, s_c = (R / r_c)^alpha (default: chosen per group, equalize-choice.ts). */
  readonly equalizationAlpha?: number;
  /**
   * The CPU the int8 graph is made for (default this one): its weight limit (weight-limit.ts) decides
   * whether and how strongly to equalise and is what the bias correction is measured with.
   */
  readonly cpu?: CpuFeatures;
  readonly onProgress?: (
    stage: 'decode' | 'equalize' | 'calibrate' | 'bias',
    done: number,
    total: number,
  ) => void;
  readonly signal?: AbortSignal;
}

export interface QuantizeResult {
  readonly dir: string;
  readonly id: string;
  readonly manifest: ModelManifest;
  /** The weight range this machine's kernels take (what the bias correction was measured with). */
  readonly weightLimit: Int8WeightLimit;
}

const DEFAULT_BATCH = 4;
/** Calibration images are kept in memory for the second pass: 1024 at 224 is 600 MB. */
export const MAX_CALIBRATION_IMAGES = 1024;

/**
 * tsn quantize: decodes the calibration clips through the project's own preprocessing (sampler,
 * short-side scale, crops, normalisation: what the backbone sees in predict and serve), measures the
 * float32 backbone's activations, and writes a model directory whose manifest says precision int8 and
 * holds the calibration table. Weights and labels are copied unchanged.
 */
export async function quantizeModel(options: QuantizeOptions): Promise<QuantizeResult> {
  const outDir = resolve(options.outDir);
  await refuseOutput(outDir, options);
  const batches = await calibrationBatches(options);
  const images = batches.reduce((n, b) => n + b.count, 0);
  const target = qdqTarget(options.model, options.cpu ?? hostCpu());
  const plan = resnetPlan(options.model.manifest.depth);
  const equalizing = options.equalize ?? target.weightLimit === 127;
  const equalization = equalizing ? await equalize(options, batches, images, target.weightLimit) : undefined;
  const equalized =
    equalization === undefined
      ? options.model
      : { ...options.model, weights: equalizeWeights(plan, options.model.weights, equalization) };
  const calibrated = await calibrate({
    model: equalized,
    method: options.method,
    batches,
    clips: options.videos.map((v) => basename(v)),
    threads: options.threads,
    onBatch: (pass, passes, done) =>
      options.onProgress?.('calibrate', (pass - 1) * images + done, passes * images),
  });
  const ranges = equalization === undefined ? calibrated : { ...calibrated, equalization };
  const quantization: QuantizationInfo =
    options.biasCorrection !== false
      ? {
          ...ranges,
          biasCorrection: await biasCorrection({
            model: options.model,
            quantization: ranges,
            target,
            batches,
            threads: options.threads,
            onLevel: (done, levels) => options.onProgress?.('bias', done, levels),
          }),
        }
      : ranges;
  const { precision: _precision, quantization: _old, ...fp32 } = options.model.manifest;
  const manifest: ModelManifest = { ...fp32, precision: 'int8', quantization };
  await writeModelDir(outDir, { manifest, weights: options.model.weights, labels: options.model.labels });
  return { dir: outDir, id: modelId(outDir, manifest), manifest, weightLimit: target.weightLimit };
}

async function equalize(
  options: QuantizeOptions,
  batches: Batches,
  images: number,
  weightLimit: Int8WeightLimit,
): Promise<Equalization> {
  const groups = equalizationGroups(resnetPlan(options.model.manifest.depth));
  const keys = new Set(groups.flatMap((g) => g.points));
  const stats = await channelStats(
    {
      model: options.model,
      batches,
      threads: options.threads,
      onBatch: (_pass, _passes, done) => options.onProgress?.('equalize', done, images),
    },
    keys,
  );
  if (options.equalizationAlpha !== undefined) {
    const maxima = new Map([...stats].map(([key, s]) => [key, s.maxAbs]));
    return groupScales(groups, maxima, options.equalizationAlpha);
  }
  return chooseEqualization(groups, stats, options.model.weights, weightLimit).scales;
}

type Batches = { images: Float32Array; count: number }[];

async function calibrationBatches(
  options: QuantizeOptions,
): Promise<{ images: Float32Array; count: number }[]> {
  const { model } = options;
  const size = model.manifest.inputSize;
  const normalizer = createNormalizer(model.manifest.mean, model.manifest.std);
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  const batches: { images: Float32Array; count: number }[] = [];
  for (const [i, videoPath] of options.videos.entries()) {
    options.signal?.throwIfAborted();
    const clip = await decodeForModel({
      videoPath,
      model,
      ...(options.numSeg === undefined ? {} : { numSeg: options.numSeg }),
      ffmpegPath: options.ffmpegPath,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    const views = cropViews(clip.size.width, clip.size.height, size, options.crop ?? 'center');
    const imageCount = views.length * clip.frames.length;
    for (let first = 0; first < imageCount; first += batchSize) {
      const count = Math.min(batchSize, imageCount - first);
      const images = new Float32Array(count * imageFloats(size));
      writeClipImages(clip.frames, views, size, normalizer, images, first, count);
      batches.push({ images, count });
    }
    const held = batches.reduce((n, b) => n + b.count, 0);
    if (held > MAX_CALIBRATION_IMAGES) {
      throw new TsnError(
        'E_USAGE',
        `quantize: ${held} calibration images after ${i + 1} clips exceed ${MAX_CALIBRATION_IMAGES}; give fewer clips, a smaller --num-seg or --crop center`,
        { context: { images: held, max: MAX_CALIBRATION_IMAGES } },
      );
    }
    options.onProgress?.('decode', i + 1, options.videos.length);
  }
  return batches;
}

async function refuseOutput(outDir: string, options: QuantizeOptions): Promise<void> {
  if (isInside(resolve(options.model.dir), outDir) || isInside(outDir, resolve(options.model.dir))) {
    throw new TsnError(
      'E_MODEL_OUT_EXISTS',
      `quantize: --out ${outDir} overlaps the source model ${options.model.dir}; write the int8 model to its own directory`,
      { context: { dir: outDir, model: options.model.dir } },
    );
  }
  await refuseExistingOutput(outDir, options.force === true, options.videos);
}
