import { InferenceSession, Tensor } from 'onnxruntime-node';
import { TsnError } from '../../errors/index.js';
import type { Model, ModelPrecision } from '../../model/types.js';
import type { Backend, BackendOptions, ExecutionProvider } from '../backend.js';
import { checkFeatures, checkImages } from '../check-input.js';
import { buildQdqBackboneGraph, qdqTarget } from '../quantize/qdq-graph.js';
import { type CpuFeatures, int8WeightLimit } from '../quantize/weight-limit.js';
import { hostCpu } from './host-cpu.js';
import { resnetPlan } from '../resnet/plan.js';
import { availableExecutionProviders } from './available-providers.js';
import { encodeOnnxModel } from './onnx-proto.js';
import { resolveExecutionProviders } from './providers.js';
import {
  BACKBONE_INPUT,
  BACKBONE_OUTPUT,
  HEAD_INPUT,
  HEAD_OUTPUT,
  buildBackboneGraph,
  buildHeadGraph,
} from './resnet-graph.js';

/** The two serialised graphs of a model, kept in memory (no temp files). */
export interface OnnxModelBytes {
  readonly backbone: Uint8Array;
  readonly head: Uint8Array;
}

/**
 * The backbone follows the manifest's precision (int8: QDQ graph from the calibration table, its weight
 * range fitted to the CPU's integer kernels).
 */
export function buildOnnxModels(model: Model, cpu: CpuFeatures = hostCpu()): OnnxModelBytes {
  const { depth, inputSize, numClasses, quantization } = model.manifest;
  const plan = resnetPlan(depth);
  const names = { input: BACKBONE_INPUT, output: BACKBONE_OUTPUT };
  const backbone =
    precisionOf(model) === 'int8' && quantization !== undefined
      ? buildQdqBackboneGraph(plan, model.weights, inputSize, quantization, qdqTarget(model, cpu), names)
      : buildBackboneGraph(plan, model.weights, inputSize);
  return {
    backbone: encodeOnnxModel(backbone),
    head: encodeOnnxModel(buildHeadGraph(model.weights, plan.featureDim, numClasses)),
  };
}

export const precisionOf = (model: Model): ModelPrecision => model.manifest.precision ?? 'fp32';

export function sessionOptions(
  providers: readonly ExecutionProvider[],
  threads: number,
): InferenceSession.SessionOptions {
  return {
    executionProviders: [...providers],
    // 'all' lets onnxruntime fuse Conv+Add+Relu and switch convs to its blocked NCHWc layout.
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    ...(threads > 0 ? { intraOpNumThreads: threads } : {}),
    interOpNumThreads: 1,
    enableCpuMemArena: true,
    enableMemPattern: true,
    // onnxruntime's pool threads busy-wait between operators by default. This service shares its cores
    // with one ffmpeg decoder per camera, so that spin is CPU taken from them (bench:pipeline, 4 cameras,
    // INT8: the service used 0.23 cores spinning, 0.14 without, same predictions/s).
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  };
}

interface Sessions {
  readonly backbone: InferenceSession;
  readonly head: InferenceSession;
  readonly providers: readonly ExecutionProvider[];
  readonly warnings: readonly string[];
}

async function openSessions(
  bytes: OnnxModelBytes,
  providers: readonly ExecutionProvider[],
  threads: number,
): Promise<{ backbone: InferenceSession; head: InferenceSession }> {
  const backbone = await InferenceSession.create(bytes.backbone, sessionOptions(providers, threads));
  try {
    // The head is a tiny mean + Gemm: cpu only, so windows never wait on a device round trip.
    const head = await InferenceSession.create(bytes.head, sessionOptions(['cpu'], 1));
    return { backbone, head };
  } catch (error) {
    await backbone.release();
    throw error;
  }
}

/**
 * Opens the sessions on the resolved providers. A requested accelerator the host lacks (or that fails
 * to load) falls back to cpu with a warning, unless options.strictProviders asks for E_BACKEND_PROVIDER.
 */
async function openWithFallback(
  bytes: OnnxModelBytes,
  options: BackendOptions,
  available: readonly string[],
): Promise<Sessions> {
  const strict = options.strictProviders === true;
  const resolved = resolveExecutionProviders(options.executionProviders, available);
  if (resolved.unavailable.length > 0 && strict) {
    throw new TsnError(
      'E_BACKEND_PROVIDER',
      `onnxruntime on this host cannot run execution provider(s) ${resolved.unavailable.join(', ')} ` +
        `(available: ${available.join(', ')}); install onnxruntime-node with ONNXRUNTIME_NODE_INSTALL=cuda12 ` +
        'on a GPU host, or request cpu.',
      { context: { requested: options.executionProviders, available } },
    );
  }
  const warnings = resolved.unavailable.map((p) => `${p} unavailable, using ${resolved.providers.join('+')}`);
  try {
    const sessions = await openSessions(bytes, resolved.providers, options.threads);
    return { ...sessions, providers: resolved.providers, warnings };
  } catch (error) {
    const accelerated = resolved.providers.length > 1;
    if (accelerated && strict) {
      throw new TsnError(
        'E_BACKEND_PROVIDER',
        `onnxruntime failed to start ${resolved.providers.join('+')}.`,
        {
          cause: error,
          context: { providers: resolved.providers },
        },
      );
    }
    if (!accelerated) throw unavailable(error);
    const cpu = await openSessions(bytes, ['cpu'], options.threads).catch((e: unknown) => {
      throw unavailable(e);
    });
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return {
      ...cpu,
      providers: ['cpu'],
      warnings: [...warnings, `${resolved.providers[0]} failed (${reason}), using cpu`],
    };
  }
}

function unavailable(cause: unknown): TsnError {
  return new TsnError(
    'E_BACKEND_UNAVAILABLE',
    'onnxruntime could not create an inference session for the model.',
    {
      cause,
    },
  );
}

async function runOne(
  session: InferenceSession,
  feeds: Record<string, Tensor>,
  output: string,
): Promise<Float32Array> {
  try {
    const result = await session.run(feeds);
    const tensor = result[output];
    if (!tensor || !(tensor.data instanceof Float32Array)) throw new Error(`no float32 output "${output}"`);
    return tensor.data;
  } catch (error) {
    throw new TsnError('E_BACKEND_RUN', `onnxruntime failed to run the ${output} graph.`, { cause: error });
  }
}

/** probeProviders is a seam for tests (pretend a provider is installed); production uses the real probe. */
export async function createOnnxBackend(
  model: Model,
  options: BackendOptions,
  probeProviders: () => readonly string[] = availableExecutionProviders,
): Promise<Backend> {
  const { inputSize, numClasses } = model.manifest;
  const featureDim = resnetPlan(model.manifest.depth).featureDim;
  const cpu = hostCpu();
  const sessions = await openWithFallback(buildOnnxModels(model, cpu), options, probeProviders());
  const threads = options.threads > 0 ? `${options.threads} threads` : 'default threads';
  const int8 = precisionOf(model) === 'int8';
  const precision = !int8 ? '' : int8WeightLimit(cpu) === 127 ? ' int8' : ' int8 (7-bit weights: no VNNI)';
  const notes = sessions.warnings.length > 0 ? `; ${sessions.warnings.join('; ')}` : '';
  let closed: Promise<void> | undefined;
  return {
    name: 'onnx',
    description: `onnxruntime ${sessions.providers.join('+')}${precision} (${threads})${notes}`,
    featureDim,
    numClasses,
    inputSize,
    async features(images, count) {
      checkImages(images, count, inputSize);
      if (count === 0) return new Float32Array(0);
      const input = new Tensor('float32', images, [count, 3, inputSize, inputSize]);
      return runOne(sessions.backbone, { [BACKBONE_INPUT]: input }, BACKBONE_OUTPUT);
    },
    async head(features, windows, perWindow) {
      checkFeatures(features, windows, perWindow, featureDim);
      if (windows === 0) return new Float32Array(0);
      const input = new Tensor('float32', features, [windows, perWindow, featureDim]);
      return runOne(sessions.head, { [HEAD_INPUT]: input }, HEAD_OUTPUT);
    },
    close() {
      closed ??= Promise.all([sessions.backbone.release(), sessions.head.release()]).then(() => undefined);
      return closed;
    },
  };
}
