// Whole-window external models (e.g. a paddle2onnx export of TSN): [N, T, 3, H, W] -> [N, numClasses].
// onnxruntime-node computes synchronously on the calling thread, so by default the session lives in a
// worker thread (clip-worker-runner.ts), as the split backends do.
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { TsnError } from '../../errors/index.js';
import type { ExecutionProvider } from '../backend.js';
import { availableExecutionProviders } from './available-providers.js';
import { sessionOptions } from './onnx-backend.js';
import { resolveExecutionProviders } from './providers.js';
import { startClipWorker } from './clip-worker-runner.js';
import { timeStepsChecker } from './clip-shape.js';

export interface OnnxClipRunnerOptions {
  readonly modelPath: string;
  readonly executionProviders: readonly ExecutionProvider[];
  /** Intra-op threads; 0 = runtime default. */
  readonly threads: number;
  /** A requested accelerator the host lacks is an error (E_BACKEND_PROVIDER) instead of a cpu fallback. */
  readonly strictProviders?: boolean;
  /** When the output's class dimension is symbolic (else it must agree with the model's). */
  readonly numClasses?: number;
  /** Expected H = W; the model's fixed sides must agree. */
  readonly inputSize: number;
  /** 'worker' (default): a worker thread, so the event loop never blocks. 'main': in-process (tests). */
  readonly thread?: 'worker' | 'main';
}

export interface ClipRunner {
  readonly description: string;
  readonly inputSize: number;
  readonly numClasses: number;
  /** The model's fixed T (numSeg x views), or undefined when symbolic. */
  readonly fixedTimeSteps: number | undefined;
  /** Throws E_INPUT_SHAPE unless the model accepts T images per window. */
  checkTimeSteps(timeSteps: number): void;
  /** images: windows x T x 3 x S x S (T view-major: all segments of view 0, then view 1, ...). */
  clip(images: Float32Array, windows: number, timeSteps: number): Promise<Float32Array>;
  close(): Promise<void>;
}

type Dim = number | string;

/**
 * Opens an external clip model. Errors: E_BACKEND_UNAVAILABLE (not loadable, or not [N, T, 3, S, S] ->
 * [N, numClasses]), E_BACKEND_PROVIDER (strictProviders); clip() rejects with E_INPUT_SHAPE, E_BACKEND_RUN.
 */
export async function createOnnxClipRunner(options: OnnxClipRunnerOptions): Promise<ClipRunner> {
  return options.thread === 'main' ? createInProcessClipRunner(options) : startClipWorker(options);
}

export async function createInProcessClipRunner(
  options: OnnxClipRunnerOptions,
  probeProviders: () => readonly string[] = availableExecutionProviders,
): Promise<ClipRunner> {
  const { session, providers, warnings } = await openSession(options, probeProviders());
  try {
    return describeRunner(session, options, providers, warnings);
  } catch (error) {
    await session.release();
    throw error;
  }
}

function describeRunner(
  session: InferenceSession,
  options: OnnxClipRunnerOptions,
  providers: readonly ExecutionProvider[],
  warnings: readonly string[],
): ClipRunner {
  const { input, output, inputShape, outputShape } = ioOf(session, options.modelPath);
  const size = options.inputSize;
  const [, t, c, h, w] = inputShape;
  if (inputShape.length !== 5 || !fixedOr(c, 3) || !fixedOr(h, size) || !fixedOr(w, size)) {
    throw shapeError(
      'E_BACKEND_UNAVAILABLE',
      `${options.modelPath} takes ${fmt(inputShape)}; a clip model must take [N, T, 3, ${size}, ${size}] (rank 5; N and T may be symbolic). Set inputSize in manifest.json to the model's H = W.`,
      { actual: inputShape },
    );
  }
  const numClasses = classesOf(outputShape, options, output);
  const fixedTimeSteps = typeof t === 'number' ? t : undefined;
  const checkTimeSteps = timeStepsChecker(options.modelPath, fixedTimeSteps);
  const threads = options.threads > 0 ? `${options.threads} threads` : 'default threads';
  const notes = warnings.length > 0 ? `; ${warnings.join('; ')}` : '';
  let closed: Promise<void> | undefined;
  return {
    description: `onnxruntime ${providers.join('+')} (${threads}), external clip model ${fmt(inputShape)}${notes}`,
    inputSize: size,
    numClasses,
    fixedTimeSteps,
    checkTimeSteps,
    async clip(images, windows, timeSteps) {
      checkTimeSteps(timeSteps);
      const expected = windows * timeSteps * 3 * size * size;
      if (!Number.isInteger(windows) || windows < 0 || images.length !== expected) {
        throw shapeError(
          'E_INPUT_SHAPE',
          `clip images hold ${images.length} floats; ${windows} windows x ${timeSteps} x 3 x ${size} x ${size} need ${expected}`,
          { expected, actual: images.length },
        );
      }
      if (windows === 0) return new Float32Array(0);
      const tensor = new Tensor('float32', images, [windows, timeSteps, 3, size, size]);
      return run(session, { [input]: tensor }, output, windows * numClasses);
    },
    close() {
      closed ??= session.release();
      return closed;
    },
  };
}

function ioOf(session: InferenceSession, path: string) {
  const inputs = session.inputMetadata;
  const outputs = session.outputMetadata;
  const input = inputs[0];
  const output = outputs[0];
  if (inputs.length !== 1 || outputs.length < 1 || !input?.isTensor || !output?.isTensor) {
    throw new TsnError(
      'E_BACKEND_UNAVAILABLE',
      `${path} has ${inputs.length} inputs; a clip model must have exactly one tensor input [N, T, 3, H, W] and a tensor output [N, numClasses].`,
      { context: { inputs: session.inputNames, outputs: session.outputNames } },
    );
  }
  return {
    input: input.name,
    output: output.name,
    inputShape: [...input.shape],
    outputShape: [...output.shape],
  };
}

function classesOf(shape: readonly Dim[], options: OnnxClipRunnerOptions, output: string): number {
  const fromModel = shape.length === 2 && typeof shape[1] === 'number' ? shape[1] : undefined;
  const rank2 = shape.length === 2 || shape.length === 0;
  const agrees =
    fromModel === undefined || options.numClasses === undefined || fromModel === options.numClasses;
  const numClasses = fromModel ?? options.numClasses;
  if (!rank2 || !agrees || numClasses === undefined) {
    throw shapeError(
      'E_BACKEND_UNAVAILABLE',
      `${options.modelPath} output "${output}" is ${fmt(shape)}; expected [N, ${options.numClasses ?? 'numClasses'}] (numClasses = the labels' count).`,
      { actual: shape, expected: options.numClasses },
    );
  }
  return numClasses;
}

async function run(
  session: InferenceSession,
  feeds: Record<string, Tensor>,
  output: string,
  expected: number,
): Promise<Float32Array> {
  let data: unknown;
  try {
    data = (await session.run(feeds))[output]?.data;
  } catch (error) {
    throw new TsnError('E_BACKEND_RUN', 'onnxruntime failed to run the clip model.', { cause: error });
  }
  if (!(data instanceof Float32Array) || data.length !== expected) {
    throw new TsnError(
      'E_BACKEND_RUN',
      `the clip model's output "${output}" is not ${expected} float32 logits.`,
    );
  }
  return data;
}

async function openSession(options: OnnxClipRunnerOptions, available: readonly string[]) {
  const resolved = resolveExecutionProviders(options.executionProviders, available);
  const strict = options.strictProviders === true;
  if (resolved.unavailable.length > 0 && strict) {
    throw new TsnError(
      'E_BACKEND_PROVIDER',
      `onnxruntime on this host cannot run execution provider(s) ${resolved.unavailable.join(', ')} (available: ${available.join(', ')}).`,
      { context: { requested: options.executionProviders, available } },
    );
  }
  const warnings = resolved.unavailable.map((p) => `${p} unavailable, using ${resolved.providers.join('+')}`);
  const create = (providers: readonly ExecutionProvider[]) =>
    InferenceSession.create(options.modelPath, sessionOptions(providers, options.threads));
  try {
    return { session: await create(resolved.providers), providers: resolved.providers, warnings };
  } catch (error) {
    if (resolved.providers.length === 1 || strict) throw unavailable(options.modelPath, error);
    const session = await create(['cpu']).catch((e: unknown) => {
      throw unavailable(options.modelPath, e);
    });
    const providers: readonly ExecutionProvider[] = ['cpu'];
    return { session, providers, warnings: [...warnings, `${resolved.providers[0]} failed, using cpu`] };
  }
}

function unavailable(path: string, cause: unknown): TsnError {
  return new TsnError(
    'E_BACKEND_UNAVAILABLE',
    `onnxruntime could not load ${path}: check that it is an ONNX model this onnxruntime supports.`,
    { cause, context: { file: path } },
  );
}

const fixedOr = (d: Dim | undefined, value: number) => typeof d === 'string' || d === value;
const fmt = (shape: readonly Dim[]) => `[${shape.join(', ')}]`;

function shapeError(
  code: 'E_INPUT_SHAPE' | 'E_BACKEND_UNAVAILABLE',
  message: string,
  context: object,
): TsnError {
  return new TsnError(code, message, { context: { ...context } });
}
