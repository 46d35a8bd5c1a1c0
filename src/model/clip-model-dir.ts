// External clip model directories (manifest architecture 'onnx-clip'): an ONNX file that takes whole
// windows, plus labels and preprocessing. loadAnyModel dispatches on the manifest's architecture.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { z } from 'zod';
import { TsnError } from '../errors/index.js';
import { checkLabels, parseLabels } from './labels.js';
import { isClipManifest } from './manifest.js';
import { loadModel, MANIFEST_FILE, readJson, requireDirectory } from './model-dir.js';
import {
  MODEL_FORMAT,
  MODEL_FORMAT_VERSION,
  type AnyModel,
  type ClipModel,
  type OnnxClipManifest,
} from './types.js';

const fileName = z
  .string()
  .min(1)
  .max(255)
  .refine(
    (s) => !/[/\\]/.test(s) && s !== '.' && s !== '..',
    'must be a file name inside the model directory',
  );
const finite = z.number().finite();
const positive = z.number().finite().positive();

const clipManifestSchema = z
  .object({
    format: z.literal(MODEL_FORMAT),
    formatVersion: z.literal(MODEL_FORMAT_VERSION),
    architecture: z.literal('onnx-clip'),
    numClasses: z.number().int().min(1).max(1_000_000),
    inputSize: z.number().int().min(1).max(4096),
    scaleShortSide: z.number().int().min(1).max(8192),
    mean: z.tuple([finite, finite, finite]),
    std: z.tuple([positive, positive, positive]),
    defaultNumSeg: z.number().int().min(1).max(1000),
    modelFile: fileName.default('model.onnx'),
    labelsFile: fileName.default('labels.txt'),
  })
  .strict()
  .refine((m) => m.inputSize <= m.scaleShortSide, {
    message: 'inputSize must not exceed scaleShortSide (the crop is taken from the scaled frame)',
    path: ['inputSize'],
  });

/** Validates a parsed onnx-clip manifest.json; `source` names the file in errors. */
export function parseClipManifest(value: unknown, source: string): OnnxClipManifest {
  const result = clipManifestSchema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new TsnError(
    'E_MODEL_MANIFEST',
    `${source} is not a valid onnx-clip manifest: ${issues.slice(0, 5).join('; ')}. See docs/inference.md, "External clip models".`,
    { context: { file: source, issues } },
  );
}

/** Loads a model directory of either kind: TSN checkpoints (split backbone/head) or external clip models. */
export async function loadAnyModel(dir: string): Promise<AnyModel> {
  const root = resolve(dir);
  await requireDirectory(root);
  const raw = await readJson(join(root, MANIFEST_FILE));
  if (isClipManifest(raw)) return { kind: 'onnx-clip', model: await loadClipModel(root, raw) };
  return { kind: 'tsn-resnet', model: await loadModel(root) };
}

async function loadClipModel(root: string, raw: unknown): Promise<ClipModel> {
  const manifest = parseClipManifest(raw, join(root, MANIFEST_FILE));
  const modelPath = join(root, manifest.modelFile);
  const sha256 = await fileSha256(modelPath).catch((cause: unknown) => {
    throw new TsnError(
      'E_MODEL_WEIGHTS',
      `cannot read ${modelPath}; put the ONNX model there or fix modelFile`,
      {
        cause,
        context: { file: modelPath },
      },
    );
  });
  const labelsPath = join(root, manifest.labelsFile);
  const text = await readFile(labelsPath, 'utf8').catch((cause: unknown) => {
    throw new TsnError('E_MODEL_LABELS', `cannot read ${labelsPath}`, {
      cause,
      context: { file: labelsPath },
    });
  });
  const labels = parseLabels(text, labelsPath);
  checkLabels(labels, manifest.numClasses, labelsPath);
  return { dir: root, id: `${basename(root)}@${sha256.slice(0, 12)}`, manifest, modelPath, labels };
}

// Streamed: exported clip models are tens to hundreds of MB.
async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
