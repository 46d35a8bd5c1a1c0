// Drawing on packed RGB24 buffers: anti-aliased capsules and discs, a cluttered static background,
// and sensor noise from a precomputed table. Pure (the caller owns every buffer).

export type Rgb = readonly [number, number, number];

export interface Canvas {
  readonly width: number;
  readonly height: number;
  readonly rgb: Uint8Array;
}

/** A thick line segment with round ends; radius in pixels. */
export function drawCapsule(
  c: Canvas,
  ax: number,
  ay: number,
  bx: number,
  by: number,
  radius: number,
  colour: Rgb,
): void {
  const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - radius - 1));
  const x1 = Math.min(c.width - 1, Math.ceil(Math.max(ax, bx) + radius + 1));
  const y0 = Math.max(0, Math.floor(Math.min(ay, by) - radius - 1));
  const y1 = Math.min(c.height - 1, Math.ceil(Math.max(ay, by) + radius + 1));
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const px = x + 0.5 - ax;
      const py = y + 0.5 - ay;
      const t = len2 === 0 ? 0 : Math.min(1, Math.max(0, (px * dx + py * dy) / len2));
      const ex = px - t * dx;
      const ey = py - t * dy;
      const cover = radius + 0.5 - Math.sqrt(ex * ex + ey * ey);
      if (cover > 0) blend(c, x, y, colour, Math.min(1, cover));
    }
  }
}

export function drawDisc(c: Canvas, cx: number, cy: number, radius: number, colour: Rgb): void {
  drawCapsule(c, cx, cy, cx, cy, radius, colour);
}

function blend(c: Canvas, x: number, y: number, colour: Rgb, alpha: number): void {
  const i = (y * c.width + x) * 3;
  const rgb = c.rgb;
  rgb[i] = Math.round((rgb[i] as number) * (1 - alpha) + colour[0] * alpha);
  rgb[i + 1] = Math.round((rgb[i + 1] as number) * (1 - alpha) + colour[1] * alpha);
  rgb[i + 2] = Math.round((rgb[i + 2] as number) * (1 - alpha) + colour[2] * alpha);
}

export interface Blob {
  readonly kind: 'rect' | 'ellipse';
  /** Centre and half sizes as fractions of the frame. */
  readonly cx: number;
  readonly cy: number;
  readonly rx: number;
  readonly ry: number;
  readonly colour: Rgb;
  readonly alpha: number;
}

export interface BackgroundSpec {
  readonly top: Rgb;
  readonly bottom: Rgb;
  /** Ground starts at this fraction of the height; drawn in `ground`. */
  readonly horizon: number;
  readonly ground: Rgb;
  readonly blobs: readonly Blob[];
}

export function paintBackground(c: Canvas, spec: BackgroundSpec): void {
  const horizonY = spec.horizon * c.height;
  for (let y = 0; y < c.height; y++) {
    const f = y / Math.max(1, c.height - 1);
    const row: Rgb =
      y >= horizonY
        ? spec.ground
        : [
            mix(spec.top[0], spec.bottom[0], f),
            mix(spec.top[1], spec.bottom[1], f),
            mix(spec.top[2], spec.bottom[2], f),
          ];
    for (let x = 0; x < c.width; x++) {
      const i = (y * c.width + x) * 3;
      c.rgb[i] = row[0];
      c.rgb[i + 1] = row[1];
      c.rgb[i + 2] = row[2];
    }
  }
  for (const b of spec.blobs) paintBlob(c, b);
}

function paintBlob(c: Canvas, b: Blob): void {
  const cx = b.cx * c.width;
  const cy = b.cy * c.height;
  const rx = Math.max(1, b.rx * c.width);
  const ry = Math.max(1, b.ry * c.height);
  const x0 = Math.max(0, Math.floor(cx - rx));
  const x1 = Math.min(c.width - 1, Math.ceil(cx + rx));
  const y0 = Math.max(0, Math.floor(cy - ry));
  const y1 = Math.min(c.height - 1, Math.ceil(cy + ry));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const u = (x + 0.5 - cx) / rx;
      const v = (y + 0.5 - cy) / ry;
      if (b.kind === 'ellipse' && u * u + v * v > 1) continue;
      blend(c, x, y, b.colour, b.alpha);
    }
  }
}

const mix = (a: number, b: number, f: number): number => Math.round(a + (b - a) * f);

/**
 * Adds noise[(start + i) mod n] * sigma and a global gain to every byte; a per-frame random start into a
 * fixed table of unit normals is as good as fresh noise to a CNN and far cheaper than new draws per pixel.
 */
export function addSensorNoise(
  rgb: Uint8Array,
  noise: Float32Array,
  start: number,
  sigma: number,
  gain: number,
): void {
  const n = noise.length;
  let k = start % n;
  for (let i = 0; i < rgb.length; i++) {
    const v = (rgb[i] as number) * gain + (noise[k] as number) * sigma;
    rgb[i] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
    k = k + 1 === n ? 0 : k + 1;
  }
}
