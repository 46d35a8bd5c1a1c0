export interface Size {
  readonly width: number;
  readonly height: number;
}

/**
 * PaddleVideo's Scale (fixed_ratio False, do_round True): short side to shortSide, the other side
 * int(side * shortSide / short + 0.5), aspect kept. A frame whose short side already equals shortSide
 * is left alone (callers skip resizing entirely then, which keeps those frames bit-exact).
 */
export function scaledSize(width: number, height: number, shortSide = 256): Size {
  if ((width <= height && width === shortSide) || (height <= width && height === shortSide)) {
    return { width, height };
  }
  if (width < height) {
    return { width: shortSide, height: Math.trunc((height * shortSide) / width + 0.5) };
  }
  return { width: Math.trunc((width * shortSide) / height + 0.5), height: shortSide };
}

export function needsResize(width: number, height: number, shortSide = 256): boolean {
  const target = scaledSize(width, height, shortSide);
  return target.width !== width || target.height !== height;
}
