export type CropMode = 'center' | 'ten';

export interface CropOffset {
  readonly x: number;
  readonly y: number;
}

/** One view of a frame fed to the backbone: where to cut the square, and whether to mirror it. */
export interface CropView extends CropOffset {
  readonly mirror: boolean;
}

/**
 * CenterCrop: one offset, floor division. TenCrop: PaddleVideo's five offsets in its order
 * (top-left, top-right, bottom-left, bottom-right, centre) on a grid of quarter steps.
 */
export function cropOffsets(width: number, height: number, size: number, mode: CropMode): CropOffset[] {
  if (width < size || height < size) {
    throw new RangeError(`a ${width}x${height} frame is smaller than the ${size}x${size} crop`);
  }
  if (mode === 'center') {
    return [{ x: Math.floor((width - size) / 2), y: Math.floor((height - size) / 2) }];
  }
  const ws = Math.floor((width - size) / 4);
  const hs = Math.floor((height - size) / 4);
  return [
    { x: 0, y: 0 },
    { x: 4 * ws, y: 0 },
    { x: 0, y: 4 * hs },
    { x: 4 * ws, y: 4 * hs },
    { x: 2 * ws, y: 2 * hs },
  ];
}

/**
 * The views in the order the images join the segment axis: for each offset, the plain crop then its
 * mirror (TenCrop); image (view v, segment t) sits at position v * numSeg + t.
 */
export function cropViews(width: number, height: number, size: number, mode: CropMode): CropView[] {
  const offsets = cropOffsets(width, height, size, mode);
  if (mode === 'center') return offsets.map((o) => ({ ...o, mirror: false }));
  return offsets.flatMap((o) => [
    { ...o, mirror: false },
    { ...o, mirror: true },
  ]);
}

export function viewsPerFrame(mode: CropMode): number {
  return mode === 'center' ? 1 : 10;
}
