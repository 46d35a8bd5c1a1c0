// The offline demo model "demo-actions": a seeded ResNet-18 generated in TypeScript, its BatchNorm statistics
// and TSN head loaded from a small committed asset (assets/models/demo-actions/), written once into the
// model cache as an ordinary model directory. How the asset is made: docs/finetune.md.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TsnError } from '../errors/index.js';
import { findPackageAsset } from '../model/labels.js';
import { loadModel, writeModelDir } from '../model/model-dir.js';
import { parseSafetensors } from '../model/safetensors.js';
import type { ModelManifest, Tensor } from '../model/types.js';
import type { ProgressLog } from './progress.js';
import { demoBackbone } from './demo-backbone.js';
import { pathExists } from '../model/path-exists.js';

export const DEMO_MODEL_NAME = 'demo-actions';
export const DEMO_ASSET_DIR = join('assets', 'models', DEMO_MODEL_NAME);
export const DEMO_SPEC_FILE = 'demo-actions.json';
export const DEMO_TENSORS_FILE = 'demo-actions.safetensors';

/** demo-actions.json: how to regenerate the backbone, and what the asset's tensors overlay. */
export interface DemoSpec {
  readonly depth: 18;
  /** randomResNetWeights seed of the backbone. */
  readonly backboneSeed: number;
  /** demo-backbone.ts: the stem design and the blocks' last BatchNorm gamma. */
  readonly stem: 'gabor' | 'random';
  readonly blockGamma: number;
  readonly blocks?: 'random' | 'pool';
  /**
   * Build-time only (baked into the asset's running_var): each BatchNorm's variance floor as a multiple of
   * its layer's median (src/training/bn-calibrate.ts). Absent: no floor (the first assets).
   */
  readonly bnVarianceFloor?: number;
  readonly labels: readonly string[];
  readonly numSeg: number;
  /** sha256 of conv1.weight's float32 bytes as generated: proves this platform draws the same numbers. */
  readonly conv1Sha256: string;
}

export function demoManifest(spec: DemoSpec, assetSha256: string): ModelManifest {
  return {
    format: 'tsn-stream-model',
    formatVersion: 1,
    architecture: 'tsn-resnet',
    depth: spec.depth,
    numClasses: spec.labels.length,
    featureDim: 512,
    inputSize: 224,
    scaleShortSide: 256,
    mean: [0.485, 0.456, 0.406],
    std: [0.229, 0.224, 0.225],
    defaultNumSeg: spec.numSeg,
    source: {
      file: `${DEMO_MODEL_NAME}: generated ResNet-18 (seed ${spec.backboneSeed}, ${spec.stem} stem) + ${DEMO_ASSET_DIR}/${DEMO_TENSORS_FILE}`,
      sha256: assetSha256,
      format: 'paddle-pdparams',
    },
    weightsFile: 'weights.safetensors',
    labelsFile: 'labels.txt',
  };
}

export function tensorSha256(t: Tensor): string {
  return createHash('sha256')
    .update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength))
    .digest('hex');
}

/** The backbone weights the spec describes, with the asset's tensors (BN statistics, fc) laid over them. */
export function demoWeights(spec: DemoSpec, overlay: ReadonlyMap<string, Tensor>): Map<string, Tensor> {
  const weights = demoBackbone({ ...spec, numClasses: spec.labels.length });
  const conv1 = weights.get('conv1.weight') as Tensor;
  if (tensorSha256(conv1) !== spec.conv1Sha256) {
    throw new TsnError(
      'E_MODEL_WEIGHTS',
      `this platform's random generator does not reproduce the ${DEMO_MODEL_NAME} backbone (conv1 checksum differs); use a downloaded model (--model tsn_k400_8) and report the platform`,
      { context: { expected: spec.conv1Sha256 } },
    );
  }
  for (const [name, t] of overlay) {
    if (!weights.has(name))
      throw new TsnError('E_MODEL_WEIGHTS', `${DEMO_TENSORS_FILE} holds an unknown tensor ${name}`);
    weights.set(name, t);
  }
  return weights;
}

/**
 * Returns cacheDir/demo-actions, building it from the package's assets when missing or built from another
 * asset version. Takes a few seconds (11 M seeded normals); no network.
 */
export async function ensureDemoModel(cacheDir: string, log: ProgressLog): Promise<string> {
  const specPath = await findPackageAsset(join(DEMO_ASSET_DIR, DEMO_SPEC_FILE));
  const tensorsPath = await findPackageAsset(join(DEMO_ASSET_DIR, DEMO_TENSORS_FILE));
  if (specPath === null || tensorsPath === null) {
    throw new TsnError(
      'E_MODEL_DIR',
      `the ${DEMO_MODEL_NAME} assets are missing from the package (${DEMO_ASSET_DIR}); reinstall tsn-stream`,
    );
  }
  const tensorsFile = await readFile(tensorsPath);
  const assetSha256 = createHash('sha256').update(tensorsFile).digest('hex');
  const dir = join(cacheDir, DEMO_MODEL_NAME);
  if (await pathExists(join(dir, 'manifest.json'))) {
    const current = await loadModel(dir).catch(() => null);
    if (current?.manifest.source.sha256 === assetSha256) return dir;
  }
  log.info({ model: DEMO_MODEL_NAME, dir }, 'building the offline demo model (once)');
  const spec = JSON.parse(await readFile(specPath, 'utf8')) as DemoSpec;
  const { tensors } = parseSafetensors(tensorsFile, tensorsPath);
  await writeModelDir(dir, {
    manifest: demoManifest(spec, assetSha256),
    weights: demoWeights(spec, tensors),
    labels: spec.labels,
  });
  log.info({ model: DEMO_MODEL_NAME, dir, labels: spec.labels }, 'model ready');
  return dir;
}
