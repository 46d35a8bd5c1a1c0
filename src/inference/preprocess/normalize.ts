import type { CropView } from './crops.js';

/** Packed RGB24, row-major, no padding (the domain Frame satisfies it). */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly rgb: Uint8Array;
}

/**
 * x / 255 - mean, / std for every byte value of every channel, rounded to float32 at each step as numpy
 * does on float32 arrays: a table of 3 x 256 floats makes the per-pixel work a lookup and keeps the
 * result bit-identical to the reference.
 */
export interface Normalizer {
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
  /** lut[c * 256 + byte] */
  readonly lut: Float32Array;
}

export const IMAGENET_MEAN: readonly [number, number, number] = [0.485, 0.456, 0.406];
export const IMAGENET_STD: readonly [number, number, number] = [0.229, 0.224, 0.225];

export function createNormalizer(
  mean: readonly [number, number, number] = IMAGENET_MEAN,
  std: readonly [number, number, number] = IMAGENET_STD,
): Normalizer {
  const lut = new Float32Array(3 * 256);
  for (let c = 0; c < 3; c++) {
    const m = Math.fround(mean[c] as number);
    const s = Math.fround(std[c] as number);
    for (let v = 0; v < 256; v++) {
      lut[c * 256 + v] = Math.fround(Math.fround(Math.fround(v / 255) - m) / s);
    }
  }
  return { mean, std, lut };
}

/** Floats one size x size view occupies in an NCHW batch. */
export function imageFloats(size: number): number {
  return 3 * size * size;
}

/**
 * Cuts one size x size view out of an RGB24 image (mirrored left-right if the view says so) and writes
 * it normalised, channel-planar (CHW), into out at outOffset: one pass over the pixels, no temporaries,
 * so callers fill a preallocated batch buffer image by image.
 */
export function writeCropNchw(
  image: RgbImage,
  view: CropView,
  size: number,
  normalizer: Normalizer,
  out: Float32Array,
  outOffset: number,
): void {
  checkBounds(image, view, size, out, outOffset);
  const { rgb, width } = image;
  const lut = normalizer.lut;
  const plane = size * size;
  const step = view.mirror ? -3 : 3;
  let dst = outOffset;
  for (let y = 0; y < size; y++) {
    let src = ((view.y + y) * width + view.x + (view.mirror ? size - 1 : 0)) * 3;
    for (let x = 0; x < size; x++, dst++, src += step) {
      out[dst] = lut[rgb[src] as number] as number;
      out[dst + plane] = lut[256 + (rgb[src + 1] as number)] as number;
      out[dst + 2 * plane] = lut[512 + (rgb[src + 2] as number)] as number;
    }
  }
}

/** writeCropNchw into a fresh 3 x size x size array. */
export function toNchw(image: RgbImage, view: CropView, size: number, normalizer: Normalizer): Float32Array {
  const out = new Float32Array(imageFloats(size));
  writeCropNchw(image, view, size, normalizer, out, 0);
  return out;
}

function checkBounds(
  image: RgbImage,
  view: CropView,
  size: number,
  out: Float32Array,
  outOffset: number,
): void {
  if (image.rgb.length < image.width * image.height * 3) {
    throw new RangeError(
      `rgb holds ${image.rgb.length} bytes, a ${image.width}x${image.height} image needs more`,
    );
  }
  if (view.x < 0 || view.y < 0 || view.x + size > image.width || view.y + size > image.height) {
    throw new RangeError(
      `crop ${size}x${size} at (${view.x},${view.y}) leaves the ${image.width}x${image.height} image`,
    );
  }
  if (outOffset < 0 || outOffset + imageFloats(size) > out.length) {
    throw new RangeError(`output buffer too small for an image at offset ${outOffset}`);
  }
}
