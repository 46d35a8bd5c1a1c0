// External clip model directories (manifest architecture 'onnx-clip'): an ONNX file that takes whole
// windows, plus labels and preprocessing. loadAnyModel dispatches on the manifest's architecture.
import { createHash } from 'node:crypto';
import { basename, join, resolve } from 'node:path';
import { z } from 'zod';
import { openRegularFile, readRegularText } from './regular-file.js';
import { LABELS_FILE_RULES, checkLabels, parseLabels } from './labels.js';
import {
  commonManifestFields,
  cropFitsScale,
  isClipManifest,
  manifestFileName,
  parseManifestWith,
} from './manifest.js';
import { loadModel, MANIFEST_FILE, readJson, requireDirectory } from './model-dir.js';
import { type AnyModel, type ClipModel, type OnnxClipManifest } from './types.js';

const clipManifestSchema = z
  .object({
    ...commonManifestFields,
    architecture: z.literal('onnx-clip'),
    modelFile: manifestFileName.default('model.onnx'),
    labelsFile: manifestFileName.default('labels.txt'),
  })
  .strict()
  .refine(cropFitsScale.check, { message: cropFitsScale.message, path: [...cropFitsScale.path] });

/** Validates a parsed onnx-clip manifest.json; `source` names the file in errors. */
export function parseClipManifest(value: unknown, source: string): OnnxClipManifest {
  return parseManifestWith(clipManifestSchema, value, {
    source,
    kind: 'onnx-clip manifest',
    fix: 'See docs/inference.md, "External clip models".',
  });
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
  const sha256 = await fileSha256(modelPath);
  const labelsPath = join(root, manifest.labelsFile);
  const text = await readRegularText(labelsPath, LABELS_FILE_RULES);
  const labels = parseLabels(text, labelsPath);
  checkLabels(labels, manifest.numClasses, labelsPath);
  return { dir: root, id: `${basename(root)}@${sha256.slice(0, 12)}`, manifest, modelPath, labels };
}

// Streamed: exported clip models are tens to hundreds of MB.
async function fileSha256(path: string): Promise<string> {
  const { handle } = await openRegularFile(path, {
    what: 'ONNX model',
    maxBytes: 2 ** 32,
    code: 'E_MODEL_WEIGHTS',
    hint: 'put the ONNX model there or fix modelFile',
  });
  const hash = createHash('sha256');
  for await (const chunk of handle.createReadStream()) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
