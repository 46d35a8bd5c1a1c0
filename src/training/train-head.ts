// The whole head training loop, pure: cached consensus features in, fc weights and a curve out.
import { gaussianSource } from '../inference/resnet/random-weights.js';
import {
  MomentumSgd,
  clipByGlobalNorm,
  createHead,
  dropout,
  lossAndGradients,
  logitsOf,
  type LinearHead,
} from './linear-head.js';
import { learningRate, type HeadRecipe } from './recipe.js';

export interface Sample {
  /** Consensus feature: the mean of one clip's segment features (one augmentation pass). */
  readonly features: Float32Array;
  readonly label: number;
}

export interface EpochStats {
  readonly epoch: number;
  readonly lr: number;
  readonly loss: number;
  readonly trainAccuracy: number;
  /** Accuracy on the validation samples, when there are any. */
  readonly valAccuracy?: number;
}

export interface TrainedHead {
  /** [numClasses, featureDim] in the raw feature space (the model's fc.weight). */
  readonly weight: Float32Array;
  readonly bias: Float32Array;
  readonly curve: readonly EpochStats[];
}

export interface TrainHeadInput {
  readonly train: readonly Sample[];
  readonly val: readonly Sample[];
  readonly numClasses: number;
  readonly recipe: HeadRecipe;
  readonly onEpoch?: (stats: EpochStats) => void;
}

/**
 * Trains fc on standardised features (each dimension to zero mean, unit variance over the training set, so
 * the seed's learning rate suits any backbone's feature scale) and folds the standardisation back into
 * fc, so the result is an ordinary TSN head on raw features.
 */
export function trainHead(input: TrainHeadInput): TrainedHead {
  const { train, val, numClasses, recipe } = input;
  if (train.length === 0) throw new RangeError('trainHead: no training samples');
  const dim = (train[0] as Sample).features.length;
  const norm = standardiser(train, dim);
  const xs = train.map((s) => norm.apply(s.features));
  const vs = val.map((s) => norm.apply(s.features));
  const rng = gaussianSource(recipe.seed);
  const head = createHead(dim, numClasses, rng.normal, recipe.initStd);
  const sgd = new MomentumSgd(head, recipe.momentum, recipe.weightDecay);
  const curve: EpochStats[] = [];
  const order = train.map((_, i) => i);
  for (let epoch = 0; epoch < recipe.epochs; epoch++) {
    const lr = learningRate(recipe, epoch);
    shuffle(order, rng.uniform);
    let lossSum = 0;
    let correct = 0;
    for (let start = 0; start < order.length; start += recipe.batchSize) {
      const batch = order.slice(start, start + recipe.batchSize);
      const inputs = batch.map((i) => dropout(xs[i] as Float64Array, recipe.dropout, rng.uniform));
      const labels = batch.map((i) => (train[i] as Sample).label);
      const { loss, grads } = lossAndGradients(head, inputs, labels);
      clipByGlobalNorm(grads, recipe.clipNorm);
      sgd.addDecay(grads);
      sgd.step(grads, lr);
      lossSum += loss * batch.length;
      correct += batch.filter(
        (i) => argmax(logitsOf(head, xs[i] as Float64Array)) === (train[i] as Sample).label,
      ).length;
    }
    const stats: EpochStats = {
      epoch: epoch + 1,
      lr,
      loss: lossSum / train.length,
      trainAccuracy: correct / train.length,
      ...(vs.length > 0 ? { valAccuracy: accuracy(head, vs, val) } : {}),
    };
    curve.push(stats);
    input.onEpoch?.(stats);
  }
  return { ...norm.fold(head), curve };
}

interface Standardiser {
  apply(x: Float32Array): Float64Array;
  fold(head: LinearHead): { weight: Float32Array; bias: Float32Array };
}

function standardiser(samples: readonly Sample[], dim: number): Standardiser {
  const mean = new Float64Array(dim);
  const std = new Float64Array(dim);
  for (const s of samples)
    for (let d = 0; d < dim; d++) mean[d] = (mean[d] as number) + (s.features[d] as number) / samples.length;
  for (const s of samples) {
    for (let d = 0; d < dim; d++)
      std[d] = (std[d] as number) + ((s.features[d] as number) - (mean[d] as number)) ** 2 / samples.length;
  }
  // A dead feature (constant over the data) gets unit scale instead of an infinite one.
  for (let d = 0; d < dim; d++) {
    const s = Math.sqrt(std[d] as number);
    std[d] = s > 1e-6 ? s : 1;
  }
  return {
    apply: (x) => {
      const out = new Float64Array(dim);
      for (let d = 0; d < dim; d++) out[d] = ((x[d] as number) - (mean[d] as number)) / (std[d] as number);
      return out;
    },
    // W (x - m) / s + b = (W / s) x + (b - sum W m / s)
    fold: (head) => {
      const weight = new Float32Array(head.weight.length);
      const bias = new Float32Array(head.numClasses);
      for (let c = 0; c < head.numClasses; c++) {
        let shift = head.bias[c] as number;
        for (let d = 0; d < dim; d++) {
          const w = (head.weight[c * dim + d] as number) / (std[d] as number);
          weight[c * dim + d] = w;
          shift -= w * (mean[d] as number);
        }
        bias[c] = shift;
      }
      return { weight, bias };
    },
  };
}

function accuracy(head: LinearHead, xs: readonly Float64Array[], samples: readonly Sample[]): number {
  let correct = 0;
  xs.forEach((x, i) => {
    if (argmax(logitsOf(head, x)) === (samples[i] as Sample).label) correct++;
  });
  return correct / xs.length;
}

export function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if ((v[i] as number) > (v[best] as number)) best = i;
  return best;
}

function shuffle(a: number[], uniform: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(uniform() * (i + 1));
    [a[i], a[j]] = [a[j] as number, a[i] as number];
  }
}
