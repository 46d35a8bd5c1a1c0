// PaddleVideo's train-time sampling and augmentation (tsn-spec.md): random segment offsets, MultiScaleCrop
// to the input size, horizontal flip of the whole clip. Pure: randomness comes from the caller.
import type { RgbImage } from '../inference/preprocess/index.js';

export type Uniform = () => number;

const randint = (n: number, uniform: Uniform): number => Math.min(n - 1, Math.floor(uniform() * n));

/**
 * Train sampler: avg = trunc(L / N); if avg > 0, index x = x * avg + randint(avg); else, if L > N, N sorted
 * random indices in [0, L); else zeros.
 */
export function trainIndices(frameCount: number, numSeg: number, uniform: Uniform): number[] {
  const avg = Math.trunc(frameCount / numSeg);
  if (avg > 0) return Array.from({ length: numSeg }, (_, x) => x * avg + randint(avg, uniform));
  if (frameCount > numSeg)
    return Array.from({ length: numSeg }, () => randint(frameCount, uniform)).sort((a, b) => a - b);
  return new Array<number>(numSeg).fill(0);
}

export interface CropBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export const MULTI_SCALES = [1, 0.875, 0.75, 0.66] as const;

/**
 * MultiScaleCrop (max_distort 1, fix_crop, more_fix_crop): crop sides from scales x the short side
 * (snapped to the target when within 3 px), width and height at most one scale step apart, placed at one
 * of 13 fixed grid offsets.
 */
export function multiScaleCropBox(width: number, height: number, target: number, uniform: Uniform): CropBox {
  const base = Math.min(width, height);
  const sizes = MULTI_SCALES.map((s) => Math.trunc(base * s)).map((v) =>
    Math.abs(v - target) < 3 ? target : v,
  );
  const pairs: [number, number][] = [];
  sizes.forEach((h, i) =>
    sizes.forEach((w, j) => {
      if (Math.abs(i - j) <= 1) pairs.push([w, h]);
    }),
  );
  const [cw, ch] = pairs[randint(pairs.length, uniform)] as [number, number];
  const ws = (width - cw) / 4;
  const hs = (height - ch) / 4;
  const offsets: [number, number][] = [[0, 0]];
  if (ws !== 0) offsets.push([4 * ws, 0]);
  if (hs !== 0) offsets.push([0, 4 * hs]);
  if (ws !== 0 && hs !== 0) offsets.push([4 * ws, 4 * hs]);
  if (ws !== 0 || hs !== 0) offsets.push([2 * ws, 2 * hs]);
  offsets.push(
    [0, 2 * hs],
    [4 * ws, 2 * hs],
    [2 * ws, 4 * hs],
    [2 * ws, 0],
    [ws, hs],
    [3 * ws, hs],
    [ws, 3 * hs],
    [3 * ws, 3 * hs],
  );
  const [x, y] = offsets[randint(offsets.length, uniform)] as [number, number];
  // PIL's crop takes integer boxes after int() of the float offsets.
  return { x: Math.trunc(x), y: Math.trunc(y), width: cw, height: ch };
}

/** Cuts `box` out of `image` and resizes it to size x size (bilinear, half-pixel centres), mirrored if asked. */
export function cropResize(image: RgbImage, box: CropBox, size: number, mirror: boolean): RgbImage {
  const out = new Uint8Array(size * size * 3);
  const sx = box.width / size;
  const sy = box.height / size;
  const src = image.rgb;
  const w = image.width;
  for (let oy = 0; oy < size; oy++) {
    const fy = Math.min(Math.max((oy + 0.5) * sy - 0.5, 0), box.height - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, box.height - 1);
    const ty = fy - y0;
    for (let ox = 0; ox < size; ox++) {
      const fx = Math.min(Math.max((ox + 0.5) * sx - 0.5, 0), box.width - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, box.width - 1);
      const tx = fx - x0;
      const a = ((box.y + y0) * w + box.x + x0) * 3;
      const b = ((box.y + y0) * w + box.x + x1) * 3;
      const c = ((box.y + y1) * w + box.x + x0) * 3;
      const d = ((box.y + y1) * w + box.x + x1) * 3;
      const dst = (oy * size + (mirror ? size - 1 - ox : ox)) * 3;
      for (let k = 0; k < 3; k++) {
        const top = (src[a + k] as number) * (1 - tx) + (src[b + k] as number) * tx;
        const bottom = (src[c + k] as number) * (1 - tx) + (src[d + k] as number) * tx;
        out[dst + k] = Math.round(top * (1 - ty) + bottom * ty);
      }
    }
  }
  return { width: size, height: size, rgb: out };
}
