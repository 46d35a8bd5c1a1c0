// TSN's head recipe (tsn-spec.md, "Training recipe"), with the knobs `tsn finetune` exposes.

export interface HeadRecipe {
  readonly epochs: number;
  /** Base learning rate; divided by 10 at each boundary. */
  readonly lr: number;
  /** Fractions of `epochs` where the rate steps down (the seed: 40 and 80 of 100). */
  readonly lrBoundaries: readonly number[];
  readonly momentum: number;
  readonly weightDecay: number;
  readonly clipNorm: number;
  readonly dropout: number;
  readonly batchSize: number;
  /** fc weights start as N(0, initStd); bias 0. */
  readonly initStd: number;
  readonly seed: number;
}

export const seedRecipe: HeadRecipe = {
  epochs: 100,
  lr: 0.01,
  lrBoundaries: [0.4, 0.8],
  momentum: 0.9,
  weightDecay: 1e-4,
  clipNorm: 40,
  dropout: 0.4,
  batchSize: 32,
  initStd: 0.01,
  seed: 1,
};

/** Piecewise-constant rate: lr, lr/10, lr/100, ... after each boundary (epoch is 0-based). */
export function learningRate(recipe: HeadRecipe, epoch: number): number {
  const passed = recipe.lrBoundaries.filter((b) => epoch >= Math.round(b * recipe.epochs)).length;
  return recipe.lr / 10 ** passed;
}
