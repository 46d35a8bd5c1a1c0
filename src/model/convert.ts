import { basename, resolve } from 'node:path';
import { TsnError } from '../errors/index.js';
import { readRegularText } from './regular-file.js';
import { readCheckpoint, type ProgressListener } from './checkpoint.js';
import { LABELS_FILE_RULES, checkLabels, defaultLabels, parseLabels } from './labels.js';
import { modelId, refuseExistingOutput, writeModelDir } from './model-dir.js';
import { featureDimFor } from './resnet-layout.js';
import {
  MODEL_FORMAT,
  MODEL_FORMAT_VERSION,
  type Model,
  type ModelManifest,
  type ResNetDepth,
} from './types.js';

export interface ConvertOptions {
  readonly checkpointPath: string;
  readonly outDir: string;
  /** "index name" or plain "name" per line; default: Kinetics-400 names for 400 classes, else class_<i>. */
  readonly labelsPath?: string;
  readonly defaultNumSeg?: number;
  /** Replace a non-empty outDir. */
  readonly force?: boolean;
  readonly onProgress?: ProgressListener;
}

export interface ConvertResult extends Model {
  readonly tensorCount: number;
  /** Where the labels came from: the --labels file, "kinetics-400" or "placeholder". */
  readonly labelsSource: string;
}

// PaddleVideo's TSN test pipeline (tsn_k400_*.yaml): ImageNet mean/std, short side 256, crop 224.
const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
const IMAGENET_STD = [0.229, 0.224, 0.225] as const;
export const DEFAULT_NUM_SEG = 8;

/** .pdparams -> model directory. Writes nothing unless every check passes. */
export async function convertCheckpoint(opts: ConvertOptions): Promise<ConvertResult> {
  const outDir = resolve(opts.outDir);
  // Replacing the directory would delete a checkpoint or labels file kept inside it.
  await refuseExistingOutput(outDir, opts.force === true, [opts.checkpointPath, opts.labelsPath]);
  const numSeg = opts.defaultNumSeg ?? DEFAULT_NUM_SEG;
  if (!Number.isInteger(numSeg) || numSeg < 1 || numSeg > 1000) {
    throw new TsnError(
      'E_MODEL_MANIFEST',
      `default num_seg must be an integer from 1 to 1000, got ${numSeg}`,
      {
        context: { defaultNumSeg: numSeg },
      },
    );
  }
  const ckpt = await readCheckpoint(opts.checkpointPath, opts.onProgress);
  const { labels, source: labelsSource } = await resolveLabels(opts.labelsPath, ckpt.numClasses);
  const manifest = buildManifest({
    depth: ckpt.depth,
    numClasses: ckpt.numClasses,
    defaultNumSeg: numSeg,
    sourceFile: basename(opts.checkpointPath),
    sha256: ckpt.sha256,
  });
  await writeModelDir(outDir, { manifest, weights: ckpt.weights, labels });
  return {
    dir: outDir,
    id: modelId(outDir, manifest),
    manifest,
    weights: ckpt.weights,
    labels,
    tensorCount: ckpt.tensorCount,
    labelsSource,
  };
}

export function buildManifest(p: {
  depth: ResNetDepth;
  numClasses: number;
  defaultNumSeg: number;
  sourceFile: string;
  sha256: string;
}): ModelManifest {
  return {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    architecture: 'tsn-resnet',
    depth: p.depth,
    numClasses: p.numClasses,
    featureDim: featureDimFor(p.depth),
    inputSize: 224,
    scaleShortSide: 256,
    mean: IMAGENET_MEAN,
    std: IMAGENET_STD,
    defaultNumSeg: p.defaultNumSeg,
    source: { file: p.sourceFile, sha256: p.sha256, format: 'paddle-pdparams' },
    weightsFile: 'weights.safetensors',
    labelsFile: 'labels.txt',
  };
}

async function resolveLabels(
  path: string | undefined,
  numClasses: number,
): Promise<{ labels: string[]; source: string }> {
  if (path === undefined) return defaultLabels(numClasses);
  const text = await readRegularText(path, LABELS_FILE_RULES);
  const labels = parseLabels(text, path);
  checkLabels(labels, numClasses, path);
  return { labels, source: path };
}
