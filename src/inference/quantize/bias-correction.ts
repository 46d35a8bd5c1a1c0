import { InferenceSession, Tensor } from 'onnxruntime-node';
import { TsnError } from '../../errors/index.js';
import type { Model, QuantizationInfo } from '../../model/types.js';
import { type OnnxGraph, encodeOnnxModel } from '../onnx/onnx-proto.js';
import { BACKBONE_INPUT, BACKBONE_OUTPUT, buildBackboneGraph } from '../onnx/resnet-graph.js';
import { resnetPlan } from '../resnet/plan.js';
import { equalizeWeights } from './equalize.js';
import { convNodes } from './points.js';
import { type QdqTarget, buildQdqBackboneGraph } from './qdq-graph.js';

/**
 * Images the correction measures on (batches spread over the calibration set): a per-channel mean over
 * 64 images x the feature map is steady, and every level of convs reruns the int8 graph on them (ResNet-50
 * has 49 levels).
 */
export const BIAS_CORRECTION_MAX_IMAGES = 64;

export interface BiasCorrectionInput {
  readonly model: Model;
  /** The calibration table (ranges) the int8 graph is built from. */
  readonly quantization: QuantizationInfo;
  /** What the int8 graph is built for (this machine's weight limit: the correction is measured on it). */
  readonly target: QdqTarget;
  readonly batches: readonly { readonly images: Float32Array; readonly count: number }[];
  readonly threads: number;
  /** Called after each level of convs (progress). */
  readonly onLevel?: (done: number, levels: number) => void;
}

/**
 * Empirical bias correction (Nagel et al. 2019, "Data-Free Quantization", section 4.2 with data): int8
 * weights and uint8 activations round, and the rounding does not average out. A conv's weights times a
 * non-negative (post-ReLU) input shift its output mean by sum(Wq - W) * E[x], and noise through each ReLU
 * adds a positive mean; downstream, both add up into a per-class logit offset that flips near-ties
 * (demo model: half the features' error energy was such a shift). So: measure every conv's per-channel
 * output mean in the float32 graph and in the int8 (QDQ) graph on the calibration images, and fold the
 * difference into the conv's bias.
 *
 * In order, one level of convs at a time, each measured with every conv before it already corrected: a
 * conv's measured shift includes what the convs before it passed on, so correcting all at once from one
 * measurement counts upstream shifts again at every conv downstream (tried: the logits diverged). Each
 * level runs the int8 graph only up to that level's convs.
 */
export async function biasCorrection(input: BiasCorrectionInput): Promise<Record<string, number[]>> {
  const model = input.model;
  const plan = resnetPlan(model.manifest.depth);
  const size = model.manifest.inputSize;
  const names = { input: BACKBONE_INPUT, output: BACKBONE_OUTPUT };
  const convs = convNodes(plan);
  const batches = spread(input.batches, BIAS_CORRECTION_MAX_IMAGES);
  // The float32 target in the int8 graph's coordinates: equalised channels are scaled there too.
  const equalization = input.quantization.equalization;
  const weights =
    equalization === undefined ? model.weights : equalizeWeights(plan, model.weights, equalization);
  const target = await convMeans(buildBackboneGraph(plan, weights, size), convs, input, batches);
  const correction: Record<string, number[]> = {};
  const levels = convLevels(plan, convs);
  for (const [i, level] of levels.entries()) {
    const table = { ...input.quantization, biasCorrection: correction };
    const graph = buildQdqBackboneGraph(plan, model.weights, size, table, input.target, names);
    const means = await convMeans(graph, level, input, batches);
    for (const c of level) {
      const got = means.get(c.name) ?? new Float64Array(c.spec.outChannels);
      const want = target.get(c.name) ?? new Float64Array(c.spec.outChannels);
      // 7 significant digits: a float32 bias's own precision, and half the manifest's size.
      correction[c.name] = Array.from(got, (g, o) => Number((g - (want[o] ?? 0)).toPrecision(7)));
    }
    input.onLevel?.(i + 1, levels.length);
  }
  return correction;
}

type Conv = ReturnType<typeof convNodes>[number];

/** The convs grouped so that each group depends only on earlier groups: a block's first conv and its
 * shortcut read the block input, each further main conv the one before. */
function convLevels(plan: ReturnType<typeof resnetPlan>, convs: readonly Conv[]): Conv[][] {
  const byName = new Map(convs.map((c) => [c.name, c]));
  const at = (name: string): Conv[] => {
    const c = byName.get(name);
    return c === undefined ? [] : [c];
  };
  const levels: Conv[][] = [at('stem.conv')];
  for (const block of plan.blocks) {
    block.main.forEach((_, i) => {
      const main = at(`${block.name}.conv${i + 1}`);
      levels.push(i === 0 ? [...main, ...at(`${block.name}.downsample`)] : main);
    });
  }
  return levels;
}

/** Per-channel mean of each of `convs`'s output (node "<conv>:out", before any ReLU or QuantizeLinear). */
async function convMeans(
  graph: OnnxGraph,
  convs: readonly Conv[],
  input: BiasCorrectionInput,
  batches: BiasCorrectionInput['batches'],
): Promise<Map<string, Float64Array>> {
  const fetches = convs.map((c) => `${c.name}:out`);
  const bytes = encodeOnnxModel(upTo(graph, fetches));
  const session = await InferenceSession.create(bytes, {
    // No fusion: a conv we read must stay a float Conv node with its own output.
    graphOptimizationLevel: 'disabled',
    ...(input.threads > 0 ? { intraOpNumThreads: input.threads } : {}),
  }).catch((cause: unknown) => {
    throw new TsnError('E_BACKEND_UNAVAILABLE', 'quantize: onnxruntime could not open the bias graph.', {
      cause,
    });
  });
  const size = input.model.manifest.inputSize;
  const sums = new Map(convs.map((c) => [c.name, new Float64Array(c.spec.outChannels)]));
  const positions = new Map<string, number>();
  try {
    for (const batch of batches) {
      const images = new Tensor('float32', batch.images, [batch.count, 3, size, size]);
      const out = await session.run({ [BACKBONE_INPUT]: images }, fetches).catch((cause: unknown) => {
        throw new TsnError('E_BACKEND_RUN', 'quantize: the bias correction run failed.', { cause });
      });
      for (const c of convs) {
        const t = out[`${c.name}:out`];
        const sum = sums.get(c.name);
        if (t === undefined || !(t.data instanceof Float32Array) || sum === undefined) continue;
        const channels = c.spec.outChannels;
        const plane = t.data.length / (batch.count * channels);
        addChannelSums(t.data, channels, plane, sum);
        positions.set(c.name, (positions.get(c.name) ?? 0) + batch.count * plane);
      }
    }
  } finally {
    await session.release();
  }
  return new Map(
    [...sums].map(([name, sum]) => [name, sum.map((s) => s / Math.max(1, positions.get(name) ?? 0))]),
  );
}

/** About `max` images' worth of batches, evenly spaced over all of them (so over every clip). */
function spread<T extends { readonly count: number }>(batches: readonly T[], max: number): T[] {
  const total = batches.reduce((n, b) => n + b.count, 0);
  if (total <= max) return [...batches];
  const keep = Math.max(1, Math.round((batches.length * max) / total));
  return Array.from({ length: keep }, (_, i) => batches[Math.floor((i * batches.length) / keep)]).filter(
    (b): b is T => b !== undefined,
  );
}

function addChannelSums(data: Float32Array, channels: number, plane: number, sum: Float64Array): void {
  for (let base = 0, ch = 0; base < data.length; base += plane, ch = (ch + 1) % channels) {
    let s = 0;
    for (let i = base; i < base + plane; i++) s += data[i] ?? 0;
    sum[ch] = (sum[ch] ?? 0) + s;
  }
}

/** The part of `graph` that computes `outputs` (nodes and initializers nothing needed are dropped). */
function upTo(graph: OnnxGraph, outputs: readonly string[]): OnnxGraph {
  const needed = new Set(outputs);
  const nodes = [];
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const node = graph.nodes[i];
    if (node === undefined || !node.output.some((o) => needed.has(o))) continue;
    nodes.push(node);
    for (const name of node.input) needed.add(name);
  }
  return {
    ...graph,
    nodes: nodes.reverse(),
    initializers: graph.initializers.filter((t) => needed.has(t.name)),
    outputs: outputs.map((name) => ({ name })),
  };
}
