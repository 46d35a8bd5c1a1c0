import { InferenceSession, Tensor } from 'onnxruntime-node';
import { TsnError } from '../../errors/index.js';
import type { CalibrationMethod, Model, QuantizationInfo } from '../../model/types.js';
import { encodeOnnxModel } from '../onnx/onnx-proto.js';
import { BACKBONE_INPUT, BACKBONE_OUTPUT, buildBackboneGraph } from '../onnx/resnet-graph.js';
import { resnetPlan } from '../resnet/plan.js';
import type { ChannelStats } from './equalize-choice.js';
import { activationPoints, type ActivationPoint } from './points.js';
import { type Histogram, MinMax, chooseRange, histogramFor, needsHistogram } from './ranges.js';

export interface CalibrationInput {
  readonly model: Model;
  readonly method: CalibrationMethod;
  /** Normalised images (count x 3 x S x S each), as the backbone receives them; read once per pass. */
  readonly batches: readonly { readonly images: Float32Array; readonly count: number }[];
  readonly clips: readonly string[];
  readonly threads: number;
  /** Called after each batch of each pass (progress). */
  readonly onBatch?: (pass: number, passes: number, done: number) => void;
}

/**
 * Measures every activation point of the float32 backbone on the calibration images and returns the
 * table tsn quantize stores in the manifest. minmax takes one pass; percentile and entropy a second one
 * that bins values within the first pass's range.
 */
export async function calibrate(input: CalibrationInput): Promise<QuantizationInfo> {
  const { model, method } = input;
  const plan = resnetPlan(model.manifest.depth);
  const points = activationPoints(plan, BACKBONE_INPUT);
  const images = input.batches.reduce((n, b) => n + b.count, 0);
  if (images === 0) {
    throw new TsnError('E_USAGE', 'quantize: no calibration images (give at least one decodable clip)');
  }
  const session = await openCalibrationSession(model, points, input.threads);
  try {
    const passes = needsHistogram(method) ? 2 : 1;
    const minMax = new Map(points.map((p) => [p.key, new MinMax()]));
    await runPass(session, input, points, (p, v) => minMax.get(p.key)?.add(v), 1, passes);
    const histograms = new Map<string, Histogram>();
    if (passes === 2) {
      for (const p of points) {
        const m = minMax.get(p.key);
        if (m) histograms.set(p.key, histogramFor(method, m, p.nonNegative));
      }
      await runPass(session, input, points, (p, v) => histograms.get(p.key)?.add(v), 2, passes);
    }
    const ranges: QuantizationInfo['ranges'] = Object.fromEntries(
      points.map((p) => [
        p.key,
        chooseRange(method, minMax.get(p.key) ?? new MinMax(), histograms.get(p.key), p.nonNegative),
      ]),
    );
    return {
      method,
      weights: 'int8-per-channel-symmetric',
      activations: 'uint8-per-tensor-asymmetric',
      input: 'pixels',
      calibration: { clips: [...input.clips], images },
      ranges,
    };
  } finally {
    await session.release();
  }
}

/**
 * Per channel at the given activation points of the float32 backbone, over the calibration images: the
 * largest |value| and the mean square (what activation equalisation sizes its scales by).
 */
export async function channelStats(
  input: Omit<CalibrationInput, 'method' | 'clips'>,
  keys: ReadonlySet<string>,
): Promise<Map<string, ChannelStats>> {
  const points = activationPoints(resnetPlan(input.model.manifest.depth), BACKBONE_INPUT).filter((p) =>
    keys.has(p.key),
  );
  const sums = new Map(points.map((p) => [p.key, new ChannelSums(p.channels)]));
  const session = await openCalibrationSession(input.model, points, input.threads);
  try {
    const add = (p: ActivationPoint, values: Float32Array, count: number): void =>
      sums.get(p.key)?.add(values, count);
    await runPass(session, input, points, add, 1, 1);
    return new Map([...sums].map(([key, s]) => [key, s.stats()]));
  } finally {
    await session.release();
  }
}

/** Running per-channel max |x| and sum of x^2 over NCHW batches. */
class ChannelSums {
  private readonly maxAbs: Float64Array;
  private readonly squares: Float64Array;
  private values = 0;

  constructor(private readonly channels: number) {
    this.maxAbs = new Float64Array(channels);
    this.squares = new Float64Array(channels);
  }

  add(values: Float32Array, count: number): void {
    const spatial = values.length / (count * this.channels);
    for (let n = 0; n < count; n++) {
      for (let c = 0; c < this.channels; c++) {
        const base = (n * this.channels + c) * spatial;
        let m = this.maxAbs[c] ?? 0;
        let sq = 0;
        for (let i = 0; i < spatial; i++) {
          const v = values[base + i] ?? 0;
          m = Math.max(m, Math.abs(v));
          sq += v * v;
        }
        this.maxAbs[c] = m;
        this.squares[c] = (this.squares[c] ?? 0) + sq;
      }
    }
    this.values += count * spatial;
  }

  stats(): ChannelStats {
    const n = Math.max(1, this.values);
    return { maxAbs: this.maxAbs, meanSquare: this.squares.map((s) => s / n) };
  }
}

async function openCalibrationSession(
  model: Model,
  points: readonly ActivationPoint[],
  threads: number,
): Promise<InferenceSession> {
  const { depth, inputSize } = model.manifest;
  const graph = buildBackboneGraph(resnetPlan(depth), model.weights, inputSize);
  const extra = points.filter((p) => p.fp32Tensor !== BACKBONE_INPUT).map((p) => ({ name: p.fp32Tensor }));
  const bytes = encodeOnnxModel({ ...graph, outputs: [...graph.outputs, ...extra] });
  try {
    // 'basic': no fusion may swallow a tensor we read (a fused Conv+Relu has no separate conv output).
    return await InferenceSession.create(bytes, {
      graphOptimizationLevel: 'basic',
      ...(threads > 0 ? { intraOpNumThreads: threads } : {}),
    });
  } catch (cause) {
    throw new TsnError(
      'E_BACKEND_UNAVAILABLE',
      'quantize: onnxruntime could not open the calibration graph.',
      {
        cause,
      },
    );
  }
}

async function runPass(
  session: InferenceSession,
  input: Pick<CalibrationInput, 'model' | 'batches' | 'onBatch'>,
  points: readonly ActivationPoint[],
  add: (point: ActivationPoint, values: Float32Array, count: number) => void,
  pass: number,
  passes: number,
): Promise<void> {
  const size = input.model.manifest.inputSize;
  const fetches = [BACKBONE_OUTPUT, ...points.map((p) => p.fp32Tensor).filter((t) => t !== BACKBONE_INPUT)];
  let done = 0;
  for (const batch of input.batches) {
    const images = new Tensor('float32', batch.images, [batch.count, 3, size, size]);
    const out = await session.run({ [BACKBONE_INPUT]: images }, fetches).catch((cause: unknown) => {
      throw new TsnError('E_BACKEND_RUN', 'quantize: the calibration run failed.', { cause });
    });
    for (const p of points) {
      const values = p.fp32Tensor === BACKBONE_INPUT ? batch.images : out[p.fp32Tensor]?.data;
      if (values instanceof Float32Array) add(p, values, batch.count);
    }
    done += batch.count;
    input.onBatch?.(pass, passes, done);
  }
}
