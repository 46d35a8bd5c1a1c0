import type { CropView } from './crops.js';
import { imageFloats, writeCropNchw, type Normalizer, type RgbImage } from './normalize.js';

/**
 * Writes images first .. first+count-1 of a clip into out (from offset 0). Image i is view
 * floor(i / T) of segment frame i mod T: TenCrop's views join the segment axis exactly as PaddleVideo
 * stacks them (each crop over all segments, then the same crops mirrored).
 */
export function writeClipImages(
  frames: readonly RgbImage[],
  views: readonly CropView[],
  size: number,
  normalizer: Normalizer,
  out: Float32Array,
  first: number,
  count: number,
): void {
  const segments = frames.length;
  if (first < 0 || count < 0 || first + count > segments * views.length) {
    throw new RangeError(
      `images ${first}..${first + count - 1} are outside a clip of ${segments * views.length}`,
    );
  }
  for (let k = 0; k < count; k++) {
    const i = first + k;
    const frame = frames[i % segments] as RgbImage;
    const view = views[Math.floor(i / segments)] as CropView;
    writeCropNchw(frame, view, size, normalizer, out, k * imageFloats(size));
  }
}
