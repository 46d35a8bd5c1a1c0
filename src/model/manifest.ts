import { z } from 'zod';
import { TsnError } from '../errors/index.js';
import { featureDimFor } from './resnet-layout.js';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, type ModelManifest } from './types.js';

// A bare file name inside the model directory: manifests must not point outside it.
export const manifestFileName = z
  .string()
  .min(1)
  .max(255)
  .refine(
    (s) => !/[/\\]/.test(s) && s !== '.' && s !== '..',
    'must be a file name inside the model directory',
  );

const finite = z.number().finite();
const positive = z.number().finite().positive();

/** Fields every model directory kind shares: identity, classes and the preprocessing it was trained with. */
export const commonManifestFields = {
  format: z.literal(MODEL_FORMAT),
  formatVersion: z.literal(MODEL_FORMAT_VERSION),
  numClasses: z.number().int().min(1).max(1_000_000),
  inputSize: z.number().int().min(1).max(4096),
  scaleShortSide: z.number().int().min(1).max(8192),
  mean: z.tuple([finite, finite, finite]),
  std: z.tuple([positive, positive, positive]),
  defaultNumSeg: z.number().int().min(1).max(1000),
};

export const cropFitsScale = {
  check: (m: { inputSize: number; scaleShortSide: number }): boolean => m.inputSize <= m.scaleShortSide,
  message: 'inputSize must not exceed scaleShortSide (the crop is taken from the scaled frame)',
  path: ['inputSize'],
} as const;

const activationRange = z.object({
  min: z.number().finite().max(0),
  max: z.number().finite().min(0),
  scale: positive,
  zeroPoint: z.number().int().min(0).max(255),
});

const quantizationSchema = z.object({
  method: z.enum(['minmax', 'percentile', 'entropy']),
  weights: z.literal('int8-per-channel-symmetric'),
  activations: z.literal('uint8-per-tensor-asymmetric'),
  calibration: z.object({
    clips: z.array(z.string().max(4096)).max(100_000),
    images: z.number().int().min(1),
  }),
  input: z.literal('pixels').exactOptional(),
  ranges: z.record(z.string().max(200), activationRange),
  biasCorrection: z.record(z.string().max(200), z.array(z.number().finite()).max(8192)).exactOptional(),
  equalization: z.record(z.string().max(200), z.array(z.number().finite().min(1)).max(8192)).exactOptional(),
});

const manifestSchema = z
  .object({
    ...commonManifestFields,
    architecture: z.literal('tsn-resnet'),
    depth: z.union([z.literal(18), z.literal(34), z.literal(50), z.literal(101)]),
    featureDim: z.number().int(),
    source: z.object({
      file: z.string().min(1),
      sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits'),
      format: z.literal('paddle-pdparams'),
    }),
    weightsFile: manifestFileName,
    labelsFile: manifestFileName,
    precision: z.enum(['fp32', 'int8']).exactOptional(),
    quantization: quantizationSchema.exactOptional(),
  })
  .refine((m) => (m.precision === 'int8') === (m.quantization !== undefined), {
    message: 'quantization must be present exactly when precision is int8 (re-run tsn quantize)',
    path: ['quantization'],
  })
  .refine((m) => m.featureDim === featureDimFor(m.depth), {
    message: 'featureDim must be 512 for depth 18/34 and 2048 for depth 50/101',
    path: ['featureDim'],
  })
  .refine(cropFitsScale.check, { message: cropFitsScale.message, path: [...cropFitsScale.path] });

/** Validates a parsed manifest.json; `source` names the file in errors. */
export function parseManifest(value: unknown, source: string): ModelManifest {
  return parseManifestWith(manifestSchema, value, {
    source,
    kind: 'tsn-stream model manifest',
    fix: 'Re-create the directory with tsn convert.',
  });
}

/** E_MODEL_MANIFEST names the file (`source`), the manifest kind, the first issues and what to do. */
export function parseManifestWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: { readonly source: string; readonly kind: string; readonly fix: string },
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new TsnError(
    'E_MODEL_MANIFEST',
    `${where.source} is not a valid ${where.kind}: ${issues.slice(0, 5).join('; ')}. ${where.fix}`,
    { context: { file: where.source, issues } },
  );
}

/** An external clip model's manifest (clip-model-dir.ts), told apart before validation. */
export function isClipManifest(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    'architecture' in value &&
    value.architecture === 'onnx-clip'
  );
}
