import { chmod, lstat, mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { TsnError } from '../errors/index.js';
import { LABELS_FILE_RULES, checkLabels, formatLabels, parseLabels } from './labels.js';
import { isClipManifest, parseManifest } from './manifest.js';
import { readRegularBytes, readRegularText } from './regular-file.js';
import { parseSafetensors, writeSafetensors } from './safetensors.js';
import type { Model, ModelManifest, Weights } from './types.js';
import { checkCanonicalWeights } from './weights-check.js';

export const MANIFEST_FILE = 'manifest.json';

export interface ModelDirContents {
  readonly manifest: ModelManifest;
  readonly weights: Weights;
  readonly labels: readonly string[];
}

/** "<dir basename>@<first 12 hex of the source checkpoint's sha256>". */
export function modelId(dir: string, manifest: ModelManifest): string {
  return `${basename(resolve(dir))}@${manifest.source.sha256.slice(0, 12)}`;
}

/**
 * Writes manifest.json, the weights and labels.txt into a fresh temporary directory next to `dir`, then
 * swaps it into place, replacing an existing model directory (or an empty one) at `dir`. Anything else at
 * `dir` is refused with E_MODEL_OUT_EXISTS. On failure nothing is left behind and `dir` is untouched.
 */
export async function writeModelDir(dir: string, m: ModelDirContents): Promise<void> {
  const target = resolve(dir);
  const manifest = parseManifest(m.manifest, `manifest for ${target}`);
  const weights = checkCanonicalWeights(
    m.weights,
    manifest.depth,
    manifest.numClasses,
    'E_MODEL_WEIGHTS',
    target,
  );
  checkLabels(m.labels, manifest.numClasses, `labels for ${target}`);
  if ((await outputState(target)) === 'other') {
    throw new TsnError(
      'E_MODEL_OUT_EXISTS',
      `${target} exists and is not a model directory; refusing to replace it`,
      { context: { dir: target } },
    );
  }
  await mkdir(dirname(target), { recursive: true });
  const staging = await mkdtemp(join(dirname(target), `.${basename(target)}.tmp-`));
  try {
    // mkdtemp makes the directory private (0700); a model directory is ordinary shared data.
    await chmod(staging, 0o755);
    await writeFile(join(staging, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    await writeSafetensors(join(staging, manifest.weightsFile), weights, {
      format: 'pt',
      producer: 'tsn-stream',
    });
    await writeFile(join(staging, manifest.labelsFile), formatLabels(m.labels));
    await swapIntoPlace(staging, target);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

export type OutputState = 'absent' | 'empty' | 'model' | 'other';

/** What is at `dir` now: only 'absent', 'empty' and 'model' may be replaced. */
export async function outputState(dir: string): Promise<OutputState> {
  const info = await lstat(dir).catch(() => null);
  if (info === null) return 'absent';
  if (!info.isDirectory()) return 'other';
  const names = await readdir(dir);
  if (names.length === 0) return 'empty';
  return names.includes(MANIFEST_FILE) ? 'model' : 'other';
}

async function swapIntoPlace(staging: string, target: string): Promise<void> {
  const previous = await stat(target).catch(() => null);
  if (previous === null) return rename(staging, target);
  const retired = `${staging}-old`;
  await rename(target, retired);
  try {
    await rename(staging, target);
  } catch (error) {
    await rename(retired, target);
    throw error;
  }
  await rm(retired, { recursive: true, force: true });
}

/** Loads and validates a model directory written by writeModelDir (or tsn convert). */
export async function loadModel(dir: string): Promise<Model> {
  const root = resolve(dir);
  await requireDirectory(root);
  const manifestPath = join(root, MANIFEST_FILE);
  const raw = await readJson(manifestPath);
  if (isClipManifest(raw)) {
    throw new TsnError(
      'E_MODEL_MANIFEST',
      `${root} holds an external clip model (architecture onnx-clip): it has no backbone/head weights; only tsn serve runs it (clip mode)`,
      { context: { dir: root } },
    );
  }
  const manifest = parseManifest(raw, manifestPath);
  const weightsPath = join(root, manifest.weightsFile);
  const file = await readRegularBytes(weightsPath, {
    what: 'weights file',
    maxBytes: 2 ** 31 - 1,
    code: 'E_MODEL_WEIGHTS',
    hint: 're-create the model directory with tsn convert',
  });
  const { tensors } = parseSafetensors(file, weightsPath);
  const weights = checkCanonicalWeights(
    tensors,
    manifest.depth,
    manifest.numClasses,
    'E_MODEL_WEIGHTS',
    weightsPath,
  );
  const labelsPath = join(root, manifest.labelsFile);
  const text = await readRegularText(labelsPath, LABELS_FILE_RULES);
  const labels = parseLabels(text, labelsPath);
  checkLabels(labels, manifest.numClasses, labelsPath);
  return { dir: root, id: modelId(root, manifest), manifest, weights, labels };
}

export async function requireDirectory(root: string): Promise<void> {
  const info = await stat(root).catch(() => null);
  if (info === null || !info.isDirectory()) {
    throw new TsnError(
      'E_MODEL_DIR',
      `${root} is not a directory; pass a model directory written by tsn convert`,
      {
        context: { dir: root },
      },
    );
  }
}

export async function readJson(path: string): Promise<unknown> {
  const text = await readRegularText(path, {
    what: 'manifest',
    // An int8 manifest holds per-channel tables (ResNet-101: ~80,000 numbers, about 2 MB).
    maxBytes: 16 << 20,
    code: 'E_MODEL_DIR',
    hint: 'a model directory holds a manifest.json written by tsn convert',
  });
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new TsnError('E_MODEL_MANIFEST', `${path} is not valid JSON`, { cause, context: { file: path } });
  }
}

/**
 * Refuses an --out that would lose something: a model directory unless `force`, any other non-empty
 * directory, and (with force) a directory that holds one of the command's own input files.
 */
export async function refuseExistingOutput(
  outDir: string,
  force: boolean,
  inputs: readonly (string | undefined)[],
): Promise<void> {
  const state = await outputState(outDir);
  if (state === 'absent' || state === 'empty') return;
  if (state === 'model' && force) {
    const inside = inputs.find((input) => input !== undefined && isInside(resolve(input), outDir));
    if (inside === undefined) return;
    throw new TsnError('E_MODEL_OUT_EXISTS', `--force would delete ${inside}, which lies inside ${outDir}`, {
      context: { dir: outDir, input: inside },
    });
  }
  throw new TsnError(
    'E_MODEL_OUT_EXISTS',
    state === 'model'
      ? `${outDir} already holds a model; choose another --out or pass --force to replace it`
      : `${outDir} exists and is not a model directory; choose another --out (--force only replaces model directories)`,
    { context: { dir: outDir } },
  );
}

export function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}
