// The TSN head as a trainable function: logits = W dropout(x) + b over consensus (mean) features, softmax
// cross-entropy. Pure arithmetic on Float64Arrays; no I/O, no clock, randomness from the caller's source.

export interface LinearHead {
  readonly inDim: number;
  readonly numClasses: number;
  /** [numClasses, inDim] row-major (torchvision's fc.weight layout). */
  readonly weight: Float64Array;
  readonly bias: Float64Array;
}

export interface Gradients {
  readonly weight: Float64Array;
  readonly bias: Float64Array;
}

export function createHead(
  inDim: number,
  numClasses: number,
  normal: () => number,
  initStd: number,
): LinearHead {
  const weight = new Float64Array(numClasses * inDim);
  for (let i = 0; i < weight.length; i++) weight[i] = normal() * initStd;
  return { inDim, numClasses, weight, bias: new Float64Array(numClasses) };
}

export function logitsOf(
  head: LinearHead,
  x: ArrayLike<number>,
  out = new Float64Array(head.numClasses),
): Float64Array {
  const { inDim, weight, bias } = head;
  for (let c = 0; c < head.numClasses; c++) {
    let sum = bias[c] as number;
    const row = c * inDim;
    for (let d = 0; d < inDim; d++) sum += (weight[row + d] as number) * (x[d] as number);
    out[c] = sum;
  }
  return out;
}

/** Softmax in place (max-subtracted); returns log-sum-exp relative to the max for the loss. */
export function softmaxInPlace(z: Float64Array): Float64Array {
  let max = -Infinity;
  for (const v of z) max = Math.max(max, v);
  let sum = 0;
  for (let i = 0; i < z.length; i++) sum += z[i] = Math.exp((z[i] as number) - max);
  for (let i = 0; i < z.length; i++) z[i] = (z[i] as number) / sum;
  return z;
}

/**
 * Mean cross-entropy over a batch and its gradient (without weight decay). inputs[i] is the (dropped-out)
 * feature vector of sample i, labels[i] its class.
 */
export function lossAndGradients(
  head: LinearHead,
  inputs: readonly ArrayLike<number>[],
  labels: readonly number[],
): { loss: number; grads: Gradients } {
  const grads: Gradients = {
    weight: new Float64Array(head.weight.length),
    bias: new Float64Array(head.numClasses),
  };
  const p = new Float64Array(head.numClasses);
  let loss = 0;
  const n = inputs.length;
  for (let i = 0; i < n; i++) {
    const x = inputs[i] as ArrayLike<number>;
    const y = labels[i] as number;
    softmaxInPlace(logitsOf(head, x, p));
    loss -= Math.log(Math.max(p[y] as number, 1e-300));
    for (let c = 0; c < head.numClasses; c++) {
      const g = ((p[c] as number) - (c === y ? 1 : 0)) / n;
      grads.bias[c] = (grads.bias[c] as number) + g;
      const row = c * head.inDim;
      if (g !== 0)
        for (let d = 0; d < head.inDim; d++)
          grads.weight[row + d] = (grads.weight[row + d] as number) + g * (x[d] as number);
    }
  }
  return { loss: loss / n, grads };
}

/** Paddle's ClipGradByGlobalNorm: scales every gradient by clipNorm / max(clipNorm, global norm). */
export function clipByGlobalNorm(grads: Gradients, clipNorm: number): number {
  let sq = 0;
  for (const v of grads.weight) sq += v * v;
  for (const v of grads.bias) sq += v * v;
  const norm = Math.sqrt(sq);
  if (norm > clipNorm) {
    const s = clipNorm / norm;
    for (let i = 0; i < grads.weight.length; i++) grads.weight[i] = (grads.weight[i] as number) * s;
    for (let i = 0; i < grads.bias.length; i++) grads.bias[i] = (grads.bias[i] as number) * s;
  }
  return norm;
}

/** Dropout with Paddle's default upscale_in_train: kept values are divided by (1 - rate). */
export function dropout(x: ArrayLike<number>, rate: number, uniform: () => number): Float64Array {
  const out = new Float64Array(x.length);
  if (rate <= 0) {
    for (let i = 0; i < x.length; i++) out[i] = x[i] as number;
    return out;
  }
  const scale = 1 / (1 - rate);
  for (let i = 0; i < x.length; i++) out[i] = uniform() < rate ? 0 : (x[i] as number) * scale;
  return out;
}

/** Paddle's Momentum with L2Decay: g += decay * w; v = mu * v + g; w -= lr * v. */
export class MomentumSgd {
  readonly #vw: Float64Array;
  readonly #vb: Float64Array;

  constructor(
    private readonly head: LinearHead,
    private readonly momentum: number,
    private readonly weightDecay: number,
  ) {
    this.#vw = new Float64Array(head.weight.length);
    this.#vb = new Float64Array(head.bias.length);
  }

  /** Adds the L2 term to grads; Paddle's optimizer clips first and regularises after, so call it after clipping. */
  addDecay(grads: Gradients): void {
    const { weight, bias } = this.head;
    for (let i = 0; i < weight.length; i++)
      grads.weight[i] = (grads.weight[i] as number) + this.weightDecay * (weight[i] as number);
    for (let i = 0; i < bias.length; i++)
      grads.bias[i] = (grads.bias[i] as number) + this.weightDecay * (bias[i] as number);
  }

  step(grads: Gradients, lr: number): void {
    update(this.head.weight, this.#vw, grads.weight, this.momentum, lr);
    update(this.head.bias, this.#vb, grads.bias, this.momentum, lr);
  }
}

function update(w: Float64Array, v: Float64Array, g: Float64Array, mu: number, lr: number): void {
  for (let i = 0; i < w.length; i++) {
    v[i] = mu * (v[i] as number) + (g[i] as number);
    w[i] = (w[i] as number) - lr * (v[i] as number);
  }
}
