import type { LabelScore } from '../domain/index.js';
import { TsnError } from '../errors/index.js';
import type { Model } from '../model/types.js';
import type { Backend } from './backend.js';
import { decodeSampledFrames, type DecodedClip } from './decode-video.js';
import {
  createNormalizer,
  cropViews,
  imageFloats,
  writeClipImages,
  type CropMode,
  type Size,
} from './preprocess/index.js';

export interface PredictVideoInput {
  readonly videoPath: string;
  readonly model: Model;
  readonly backend: Backend;
  /** Segments (frames sampled); default: the model's defaultNumSeg. */
  readonly numSeg?: number;
  readonly crop: CropMode;
  readonly topK: number;
  readonly ffmpegPath: string;
  /** Images per backbone call (memory, not speed, on CPU). */
  readonly batchSize?: number;
  readonly signal?: AbortSignal;
}

export interface VideoPrediction {
  /** Frames ffmpeg decoded (L). */
  readonly frames: number;
  readonly indices: readonly number[];
  /** [1, views x numSeg, 3, size, size]: what PaddleVideo's Recognizer2D receives. */
  readonly inputShape: readonly number[];
  readonly numSeg: number;
  readonly crop: CropMode;
  readonly sourceSize: Size;
  readonly scaledSize: Size;
  readonly top: LabelScore[];
  readonly logits: number[];
}

const DEFAULT_BATCH_SIZE = 8;

/**
 * PaddleVideo's test pipeline on one file: decode, sample numSeg frames, scale, crop (1 or 10 views),
 * normalise; backbone features in batches, then the head over all views x segments: fc(mean).
 */
export async function predictVideo(input: PredictVideoInput): Promise<VideoPrediction> {
  const clip = await decodeForModel(input);
  return predictClip({ ...input, clip });
}

/** The decode half of predictVideo: lets a caller fail on a bad video before it builds a backend. */
export async function decodeForModel(
  input: Pick<PredictVideoInput, 'videoPath' | 'model' | 'numSeg' | 'ffmpegPath' | 'signal'>,
): Promise<DecodedClip> {
  const manifest = input.model.manifest;
  const numSeg = input.numSeg ?? manifest.defaultNumSeg;
  if (!Number.isInteger(numSeg) || numSeg < 1) {
    throw new TsnError('E_USAGE', `predict: numSeg must be a positive integer (got ${numSeg})`, {
      context: { videoPath: input.videoPath, numSeg },
    });
  }
  return decodeSampledFrames({
    videoPath: input.videoPath,
    ffmpegPath: input.ffmpegPath,
    numSeg,
    shortSide: manifest.scaleShortSide,
    ...(input.signal === undefined ? {} : { signal: input.signal }),
  });
}

export interface PredictClipInput extends Omit<PredictVideoInput, 'ffmpegPath' | 'numSeg'> {
  readonly clip: DecodedClip;
}

/** The inference half: crops and normalises the decoded frames, backbone in batches, head over all. */
export async function predictClip(input: PredictClipInput): Promise<VideoPrediction> {
  const { model, backend, clip } = input;
  const numSeg = clip.indices.length;
  checkInput(input);
  const size = model.manifest.inputSize;
  const views = cropViews(clip.size.width, clip.size.height, size, input.crop);
  const imageCount = views.length * numSeg;
  const features = await backboneFeatures(input, clip.frames, views, imageCount);
  const logits = Array.from(await backend.head(features, 1, imageCount));
  return {
    frames: clip.frameCount,
    indices: clip.indices,
    inputShape: [1, imageCount, 3, size, size],
    numSeg,
    crop: input.crop,
    sourceSize: clip.sourceSize,
    scaledSize: clip.size,
    top: topScores(logits, model.labels, input.topK),
    logits,
  };
}

async function backboneFeatures(
  input: PredictClipInput,
  frames: Parameters<typeof writeClipImages>[0],
  views: Parameters<typeof writeClipImages>[1],
  imageCount: number,
): Promise<Float32Array> {
  const { backend, model } = input;
  const size = model.manifest.inputSize;
  const normalizer = createNormalizer(model.manifest.mean, model.manifest.std);
  const batchSize = Math.min(input.batchSize ?? DEFAULT_BATCH_SIZE, imageCount);
  const batch = new Float32Array(batchSize * imageFloats(size));
  const features = new Float32Array(imageCount * backend.featureDim);
  for (let first = 0; first < imageCount; first += batchSize) {
    input.signal?.throwIfAborted();
    const count = Math.min(batchSize, imageCount - first);
    writeClipImages(frames, views, size, normalizer, batch, first, count);
    const out = await backend.features(batch.subarray(0, count * imageFloats(size)), count);
    features.set(out.subarray(0, count * backend.featureDim), first * backend.featureDim);
  }
  return features;
}

function checkInput(input: PredictClipInput): void {
  const problems: string[] = [];
  if (!Number.isInteger(input.topK) || input.topK < 1)
    problems.push(`topK must be a positive integer (got ${input.topK})`);
  const batchSize = input.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    problems.push(`batchSize must be a positive integer (got ${batchSize})`);
  if (input.backend.inputSize !== input.model.manifest.inputSize) {
    problems.push(
      `backend input ${input.backend.inputSize} differs from the model's ${input.model.manifest.inputSize}`,
    );
  }
  if (problems.length > 0) {
    throw new TsnError('E_USAGE', `predict: ${problems.join('; ')}`, {
      context: { videoPath: input.videoPath },
    });
  }
}

/** Softmax in float64 (max-subtracted), then the k best, highest first; ties keep the lower index. */
export function topScores(logits: readonly number[], labels: readonly string[], k: number): LabelScore[] {
  const max = Math.max(...logits);
  const exps = logits.map((v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps
    .map((e, index) => ({ index, label: labels[index] ?? String(index), score: e / sum }))
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, k);
}
