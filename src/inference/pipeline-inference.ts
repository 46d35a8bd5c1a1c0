// The pipeline's InferencePort (src/pipeline/inference-port.ts), implemented in-process: segment mode (crop +
// normalise each segment frame -> backbone features; head = fc of the mean) or clip mode (whole windows ->
// an external clip model). Built here from a Backend or a ClipRunner, so the pipeline never reaches into a
// runtime; description and close() are for the composition root, which owns the runtime's lifetime.
import type { SegmentFrame } from '../domain/index.js';
import type { AnyModel, ClipModel, Model } from '../model/types.js';
import type { ClipFn, ClipInferencePort, EmbedFn, SegmentInferencePort } from '../pipeline/inference-port.js';
import type { Backend, BackendName, ExecutionProvider } from './backend.js';
import { createBackend } from './create-backend.js';
import { createOnnxClipRunner, type ClipRunner } from './onnx/clip-model.js';
import { createNormalizer, cropViews, imageFloats, writeCropNchw } from './preprocess/index.js';

interface InferenceBase {
  /** Runtime and providers, for the log. */
  readonly description: string;
  close(): Promise<void>;
}

/** Per-segment backbone features shared by windows, then fc(mean) (TSN checkpoints). */
export interface SegmentInference extends InferenceBase, SegmentInferencePort {}

/** Whole windows batched across cameras (external clip models, always onnxruntime). */
export interface ClipInference extends InferenceBase, ClipInferencePort {}

export type PipelineInference = SegmentInference | ClipInference;

export interface InferenceSettings {
  readonly backend: BackendName;
  readonly executionProviders: readonly ExecutionProvider[];
  readonly threads: number;
  /** Worker threads for a TSN model's backbone (BackendOptions.workers); clip models use one. */
  readonly workers?: number;
  /** Segments x views of the default window: a fixed-T clip model that can never take it fails at start. */
  readonly defaultTimeSteps: (modelNumSeg: number) => number;
}

/** Opens the runtime the model needs (in a worker thread) and wraps it for the pipeline. */
export async function openPipelineInference(
  loaded: AnyModel,
  settings: InferenceSettings,
): Promise<PipelineInference> {
  const { executionProviders, threads } = settings;
  if (loaded.kind === 'tsn-resnet') {
    const backend = await createBackend(loaded.model, {
      backend: settings.backend,
      executionProviders,
      threads,
      ...(settings.workers === undefined ? {} : { workers: settings.workers }),
    });
    return segmentInference(backend, loaded.model);
  }
  const model = loaded.model;
  const runner = await createOnnxClipRunner({
    modelPath: model.modelPath,
    executionProviders,
    threads,
    inputSize: model.manifest.inputSize,
    numClasses: model.manifest.numClasses,
  });
  try {
    runner.checkTimeSteps(settings.defaultTimeSteps(model.manifest.defaultNumSeg));
  } catch (error) {
    await runner.close();
    throw error;
  }
  return clipInference(runner, model);
}

export function segmentInference(backend: Backend, model: Model): SegmentInference {
  return {
    mode: 'segment',
    description: backend.description,
    embed: createEmbed(backend, model),
    head: (features, windows, perWindow) => backend.head(features, windows, perWindow),
    close: () => backend.close(),
  };
}

export function clipInference(runner: ClipRunner, model: ClipModel): ClipInference {
  return {
    mode: 'clip',
    description: runner.description,
    clip: createClip(runner, model),
    close: () => runner.close(),
  };
}

/** Segment frames -> normalised crops (frame-major, then view) -> backbone features. */
export function createEmbed(backend: Backend, model: Model): EmbedFn {
  const size = model.manifest.inputSize;
  const normalizer = createNormalizer(model.manifest.mean, model.manifest.std);
  return async (batch: readonly SegmentFrame[], views: number) => {
    const count = batch.length * views;
    // A fresh buffer per call: the worker backend transfers it, and calls may overlap (maxInFlight > 1).
    const images = new Float32Array(count * imageFloats(size));
    batch.forEach((segment, i) => {
      const { frame } = segment;
      const crops = cropViews(frame.width, frame.height, size, views === 10 ? 'ten' : 'center');
      crops.forEach((view, v) =>
        writeCropNchw(frame, view, size, normalizer, images, (i * views + v) * imageFloats(size)),
      );
    });
    return backend.features(images, count, true);
  };
}

/**
 * Each window's numSeg frames -> numSeg x views normalised crops in PaddleVideo's order (view-major, as
 * writeClipImages writes them) -> one runner call per batch.
 */
export function createClip(runner: ClipRunner, model: ClipModel): ClipFn {
  const size = model.manifest.inputSize;
  const normalizer = createNormalizer(model.manifest.mean, model.manifest.std);
  const floats = imageFloats(size);
  return async (frames: readonly SegmentFrame[], windows: number, numSeg: number, views: number) => {
    const timeSteps = numSeg * views;
    runner.checkTimeSteps(timeSteps);
    // A fresh buffer per call: calls may overlap (maxInFlight > 1).
    const images = new Float32Array(windows * timeSteps * floats);
    frames.forEach(({ frame }, i) => {
      const window = Math.floor(i / numSeg);
      const segment = i % numSeg;
      // Per frame, not per window: a source may change resolution between segments.
      const crops = cropViews(frame.width, frame.height, size, views === 10 ? 'ten' : 'center');
      crops.forEach((view, v) => {
        const image = window * timeSteps + v * numSeg + segment;
        writeCropNchw(frame, view, size, normalizer, images, image * floats);
      });
    });
    return runner.clip(images, windows, timeSteps);
  };
}
