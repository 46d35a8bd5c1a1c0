// One clip -> cached consensus features: `passes` train-time augmented views (random segment offsets,
// MultiScaleCrop, flip) plus the test-protocol view (centre crop), each the mean of numSeg backbone features.
import type { Backend } from '../inference/backend.js';
import {
  sampleIndices,
  createNormalizer,
  cropViews,
  imageFloats,
  writeCropNchw,
} from '../inference/preprocess/index.js';
import type { RgbImage } from '../inference/preprocess/index.js';
import type { ModelManifest } from '../model/types.js';
import { cropResize, multiScaleCropBox, trainIndices, type Uniform } from './augment.js';
import { decodePickedFrames } from './decode-frames.js';

export interface ClipFeatures {
  /** One consensus vector per augmentation pass. */
  readonly train: Float32Array[];
  /** The test protocol's (numSeg segments, centre crop) consensus vector. */
  readonly test: Float32Array;
  readonly frameCount: number;
}

export interface ClipFeatureInput {
  readonly videoPath: string;
  readonly ffmpegPath: string;
  readonly manifest: ModelManifest;
  readonly backend: Backend;
  readonly numSeg: number;
  readonly passes: number;
  readonly uniform: Uniform;
  readonly batchSize: number;
  readonly signal?: AbortSignal;
}

export async function clipFeatures(input: ClipFeatureInput): Promise<ClipFeatures> {
  const { manifest, numSeg, passes, uniform } = input;
  const size = manifest.inputSize;
  let plan: { train: number[][]; test: number[] } = { train: [], test: [] };
  const decoded = await decodePickedFrames(
    input.videoPath,
    input.ffmpegPath,
    manifest.scaleShortSide,
    (frameCount) => {
      plan = {
        train: Array.from({ length: passes }, () => trainIndices(frameCount, numSeg, uniform)),
        test: sampleIndices(frameCount, numSeg),
      };
      return [...plan.train.flat(), ...plan.test];
    },
    input.signal,
  );
  const frame = (i: number): RgbImage => decoded.frames.get(i) as RgbImage;
  const images: RgbImage[] = [];
  for (const indices of plan.train) {
    const box = multiScaleCropBox(decoded.size.width, decoded.size.height, size, uniform);
    const mirror = uniform() < 0.5;
    for (const i of indices) images.push(cropResize(frame(i), box, size, mirror));
  }
  const centre = cropViews(decoded.size.width, decoded.size.height, size, 'center')[0];
  const features = await backboneFeatures(input, images, plan.test.map(frame), centre);
  const dim = input.backend.featureDim;
  const consensus = (k: number): Float32Array => meanRows(features, k * numSeg, numSeg, dim);
  return {
    train: plan.train.map((_, k) => consensus(k)),
    test: consensus(passes),
    frameCount: decoded.frameCount,
  };
}

async function backboneFeatures(
  input: ClipFeatureInput,
  augmented: readonly RgbImage[],
  testFrames: readonly RgbImage[],
  centre: { x: number; y: number; mirror: boolean } | undefined,
): Promise<Float32Array> {
  const size = input.manifest.inputSize;
  const normalizer = createNormalizer(input.manifest.mean, input.manifest.std);
  const total = augmented.length + testFrames.length;
  const dim = input.backend.featureDim;
  const out = new Float32Array(total * dim);
  const batch = new Float32Array(input.batchSize * imageFloats(size));
  const whole = { x: 0, y: 0, mirror: false };
  for (let first = 0; first < total; first += input.batchSize) {
    input.signal?.throwIfAborted();
    const count = Math.min(input.batchSize, total - first);
    for (let k = 0; k < count; k++) {
      const i = first + k;
      const image =
        i < augmented.length ? (augmented[i] as RgbImage) : (testFrames[i - augmented.length] as RgbImage);
      writeCropNchw(
        image,
        i < augmented.length ? whole : (centre ?? whole),
        size,
        normalizer,
        batch,
        k * imageFloats(size),
      );
    }
    const f = await input.backend.features(batch.subarray(0, count * imageFloats(size)), count);
    out.set(f.subarray(0, count * dim), first * dim);
  }
  return out;
}

function meanRows(data: Float32Array, firstRow: number, rows: number, dim: number): Float32Array {
  const acc = new Float64Array(dim);
  for (let r = 0; r < rows; r++) {
    const base = (firstRow + r) * dim;
    for (let d = 0; d < dim; d++) acc[d] = (acc[d] as number) + (data[base + d] as number);
  }
  return Float32Array.from(acc, (v) => v / rows);
}
