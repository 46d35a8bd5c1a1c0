// One camera's look, drawn once from a seed: background, clothes, figure size and place, speed, noise.
import { gaussianSource } from '../../src/inference/resnet/random-weights.js';
import type { ActionStyle } from './actions.js';
import type { BackgroundSpec, Blob, Rgb } from './raster.js';

export interface Scene {
  readonly background: BackgroundSpec;
  readonly shirt: Rgb;
  readonly trousers: Rgb;
  readonly skin: Rgb;
  /** Figure height as a fraction of the frame height. */
  readonly figureHeight: number;
  /** Limb radius as a fraction of the figure height. */
  readonly limbRadius: number;
  /** Where the feet stand: fractions of width and height. */
  readonly groundX: number;
  readonly groundY: number;
  readonly style: ActionStyle;
  /** Standard deviation of the sensor noise, in 8-bit levels. */
  readonly noiseSigma: number;
}

export type Random = ReturnType<typeof gaussianSource>;

const luminance = (c: Rgb): number => 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];

function randomColour(rng: Random, lumLow: number, lumHigh: number): Rgb {
  for (;;) {
    const c: Rgb = [rng.uniform() * 255, rng.uniform() * 255, rng.uniform() * 255].map(
      Math.round,
    ) as unknown as Rgb;
    const l = luminance(c);
    if (l >= lumLow && l <= lumHigh) return c;
  }
}

const between = (rng: Random, lo: number, hi: number): number => lo + (hi - lo) * rng.uniform();

/** The figure's clothes contrast with the background: dark figures on light scenes and the reverse. */
export function sceneFromSeed(seed: number): Scene {
  const rng = gaussianSource(seed ^ 0x5eed_a11);
  const light = rng.uniform() < 0.5;
  const [bgLow, bgHigh] = light ? [140, 235] : [20, 110];
  const [figLow, figHigh] = light ? [10, 70] : [175, 250];
  const top = randomColour(rng, bgLow, bgHigh);
  const bottom = randomColour(rng, bgLow, bgHigh);
  const blobs: Blob[] = [];
  const blobCount = 3 + Math.floor(rng.uniform() * 6);
  for (let i = 0; i < blobCount; i++) {
    blobs.push({
      kind: rng.uniform() < 0.5 ? 'rect' : 'ellipse',
      cx: rng.uniform(),
      cy: between(rng, 0, 0.8),
      rx: between(rng, 0.03, 0.2),
      ry: between(rng, 0.03, 0.25),
      colour: randomColour(rng, bgLow, bgHigh),
      alpha: between(rng, 0.4, 0.9),
    });
  }
  const groundY = between(rng, 0.86, 0.91);
  const background: BackgroundSpec = {
    top,
    bottom,
    horizon: groundY - between(rng, 0.02, 0.1),
    ground: randomColour(rng, bgLow, bgHigh),
    blobs,
  };
  return {
    background,
    shirt: randomColour(rng, figLow, figHigh),
    trousers: randomColour(rng, figLow, figHigh),
    skin: randomColour(rng, figLow, figHigh),
    figureHeight: between(rng, 0.58, 0.74),
    limbRadius: between(rng, 0.035, 0.05),
    groundX: between(rng, 0.4, 0.6),
    groundY,
    style: {
      speed: between(rng, 0.8, 1.25),
      side: rng.uniform() < 0.5 ? 1 : -1,
      amplitude: between(rng, 0.85, 1.15),
    },
    noiseSigma: between(rng, 2, 8),
  };
}
