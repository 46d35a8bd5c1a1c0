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

/** A colour of luminance in [lumLow, lumHigh] whose channels stay within `chroma` of their mean. */
function randomColour(rng: Random, lumLow: number, lumHigh: number, chroma = 255): Rgb {
  for (;;) {
    const grey = rng.uniform() * 255;
    const c = [0, 1, 2].map(() =>
      Math.round(Math.min(255, Math.max(0, grey + (rng.uniform() * 2 - 1) * chroma))),
    ) as unknown as Rgb;
    const l = luminance(c);
    if (l >= lumLow && l <= lumHigh) return c;
  }
}

const BG_CHROMA = 30;

const between = (rng: Random, lo: number, hi: number): number => lo + (hi - lo) * rng.uniform();

/**
 * Dark clothes on a light, smooth, muted, low-contrast scene: what tells actions apart is the figure's
 * shape, so the scene must not drown it (a frozen backbone's mean-pooled features see every edge).
 * Colours, clutter, size, place, speed and noise still change with every seed.
 */
export function sceneFromSeed(seed: number): Scene {
  const rng = gaussianSource(seed ^ 0x5eed_a11);
  const [bgLow, bgHigh] = [165, 225];
  const [figLow, figHigh] = [0, 45];
  const top = randomColour(rng, bgLow, bgHigh, BG_CHROMA);
  const bottom = randomColour(rng, bgLow, bgHigh, BG_CHROMA);
  const blobs: Blob[] = [];
  const blobCount = 3 + Math.floor(rng.uniform() * 6);
  for (let i = 0; i < blobCount; i++) {
    blobs.push({
      kind: 'ellipse',
      cx: rng.uniform(),
      cy: between(rng, 0, 0.8),
      rx: between(rng, 0.03, 0.2),
      ry: between(rng, 0.03, 0.25),
      colour: randomColour(rng, bgLow, bgHigh, BG_CHROMA),
      alpha: between(rng, 0.15, 0.3),
    });
  }
  const groundY = between(rng, 0.86, 0.91);
  const background: BackgroundSpec = {
    top,
    bottom,
    horizon: groundY - between(rng, 0.02, 0.1),
    ground: bottom.map((v) => Math.round(v * between(rng, 0.88, 0.96))) as unknown as Rgb,
    blobs,
  };
  return {
    background,
    shirt: randomColour(rng, figLow, figHigh),
    trousers: randomColour(rng, figLow, figHigh),
    skin: randomColour(rng, figLow, figHigh),
    figureHeight: between(rng, 0.68, 0.8),
    limbRadius: between(rng, 0.045, 0.06),
    groundX: between(rng, 0.4, 0.6),
    groundY,
    style: {
      speed: between(rng, 0.8, 1.25),
      side: rng.uniform() < 0.5 ? 1 : -1,
      amplitude: between(rng, 0.85, 1.15),
    },
    noiseSigma: between(rng, 1.5, 4),
  };
}
