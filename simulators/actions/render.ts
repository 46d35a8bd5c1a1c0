// Procedural action clips: one seeded scene, an articulated figure playing a list of labelled segments.
import { TsnError } from '../../src/errors/index.js';
import { gaussianSource } from '../../src/inference/resnet/random-weights.js';
import { ACTION_LABELS, actionFrame, type ActionStyle, type SegmentLabel } from './actions.js';
import { addSensorNoise, drawCapsule, drawDisc, paintBackground, type Canvas, type Rgb } from './raster.js';
import { sceneFromSeed, type Scene } from './scene.js';
import { BODY, forwardKinematics, type Joints, type Point } from './skeleton.js';

export { ACTION_LABELS, type ActionLabel, type SegmentLabel } from './actions.js';
export { sceneFromSeed, type Scene } from './scene.js';

export interface ActionSegment {
  /** An ACTION_LABEL or 'idle'. */
  readonly label: string;
  readonly durationMs: number;
}

export interface ActionVideoSpec {
  readonly seed: number;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly segments: readonly ActionSegment[];
}

/**
 * Frame size and rate of the live action cameras (sim://NAME?actions=SEED), which the demo model is also
 * trained on: one rendering path and one set of parameters for both.
 */
export const liveActionVideo = { width: 320, height: 240, fps: 15 } as const;

const NOISE_TABLE = 1 << 16;
const WALK_MIN_X = 0.32;
const WALK_MAX_X = 0.68;

/** Frames in a spec: round(total duration x fps), at least 1. */
export function frameCount(spec: ActionVideoSpec): number {
  const totalMs = spec.segments.reduce((a, s) => a + s.durationMs, 0);
  return Math.max(1, Math.round((totalMs / 1000) * spec.fps));
}

/**
 * Yields RGB24 frames (width x height x 3, a fresh buffer each) of one scene chosen by `seed`: frame i shows
 * time i / fps; each segment plays its label from its own t = 0. The same spec always gives the same bytes.
 */
export function* renderActionVideo(spec: ActionVideoSpec): Generator<Uint8Array> {
  checkSpec(spec);
  const scene = sceneFromSeed(spec.seed);
  const rng = gaussianSource(spec.seed ^ 0x0f0f_1234);
  const noise = new Float32Array(NOISE_TABLE);
  for (let i = 0; i < noise.length; i++) noise[i] = rng.normal();
  const background: Canvas = {
    width: spec.width,
    height: spec.height,
    rgb: new Uint8Array(spec.width * spec.height * 3),
  };
  paintBackground(background, scene.background);
  const ends = cumulativeEnds(spec.segments);
  let x = scene.groundX;
  let walkDir: 1 | -1 = scene.style.side;
  const frames = frameCount(spec);
  for (let i = 0; i < frames; i++) {
    const tMs = (i * 1000) / spec.fps;
    const index = Math.min(segmentAt(ends, tMs), spec.segments.length - 1);
    const segment = spec.segments[index] as ActionSegment;
    const startMs = index === 0 ? 0 : (ends[index - 1] as number);
    const label = segment.label as SegmentLabel;
    const style = styleFor(label, scene, walkDir, x);
    const { pose, velocity } = actionFrame(label, (tMs - startMs) / 1000, style);
    const canvas: Canvas = { ...background, rgb: background.rgb.slice() };
    drawFigure(canvas, scene, forwardKinematics(pose), x);
    addSensorNoise(
      canvas.rgb,
      noise,
      Math.floor(rng.uniform() * NOISE_TABLE),
      scene.noiseSigma,
      0.97 + 0.06 * rng.uniform(),
    );
    yield canvas.rgb;
    // Walking moves the figure; it turns at the edges of the central region the crops keep.
    const figurePx = scene.figureHeight * spec.height;
    x += (velocity * figurePx) / spec.width / spec.fps;
    if (x > WALK_MAX_X) walkDir = -1;
    if (x < WALK_MIN_X) walkDir = 1;
  }
}

function styleFor(label: SegmentLabel, scene: Scene, walkDir: 1 | -1, x: number): ActionStyle {
  if (label === 'walk') return { ...scene.style, side: walkDir };
  // Fall toward the frame's centre, so the lying figure stays inside a centre crop.
  if (label === 'fall') return { ...scene.style, side: x < 0.5 ? 1 : -1 };
  return scene.style;
}

function drawFigure(c: Canvas, scene: Scene, j: Joints, groundX: number): void {
  const h = scene.figureHeight * c.height;
  const ox = groundX * c.width;
  const oy = scene.groundY * c.height;
  const px = (p: Point): [number, number] => [ox + p[0] * h, oy - p[1] * h];
  const r = scene.limbRadius * h;
  const seg = (a: Point, b: Point, radius: number, colour: Rgb): void => {
    const [ax, ay] = px(a);
    const [bx, by] = px(b);
    drawCapsule(c, ax, ay, bx, by, radius, colour);
  };
  seg(j.hipL, j.kneeL, r * 1.1, scene.trousers);
  seg(j.kneeL, j.footL, r, scene.trousers);
  seg(j.hipR, j.kneeR, r * 1.1, scene.trousers);
  seg(j.kneeR, j.footR, r, scene.trousers);
  seg(j.hip, j.neck, r * 1.7, scene.shirt);
  seg(j.shoulderL, j.shoulderR, r, scene.shirt);
  seg(j.shoulderL, j.elbowL, r, scene.shirt);
  seg(j.elbowL, j.handL, r * 0.9, scene.shirt);
  seg(j.shoulderR, j.elbowR, r, scene.shirt);
  seg(j.elbowR, j.handR, r * 0.9, scene.shirt);
  const [hx, hy] = px(j.head);
  drawDisc(c, hx, hy, BODY.headRadius * h, scene.skin);
}

function cumulativeEnds(segments: readonly ActionSegment[]): number[] {
  let sum = 0;
  return segments.map((s) => (sum += s.durationMs));
}

function segmentAt(ends: readonly number[], tMs: number): number {
  const i = ends.findIndex((end) => tMs < end);
  return i === -1 ? ends.length - 1 : i;
}

function checkSpec(spec: ActionVideoSpec): void {
  const problems: string[] = [];
  const dim = (n: number): boolean => Number.isInteger(n) && n >= 16 && n <= 4096;
  if (!dim(spec.width) || !dim(spec.height))
    problems.push(`size ${spec.width}x${spec.height} must be 16..4096 integers`);
  if (!(spec.fps > 0 && spec.fps <= 240)) problems.push(`fps ${spec.fps} must be in (0, 240]`);
  if (!Number.isInteger(spec.seed)) problems.push(`seed ${spec.seed} must be an integer`);
  if (spec.segments.length === 0) problems.push('at least one segment is needed');
  const known: readonly string[] = [...ACTION_LABELS, 'idle'];
  for (const s of spec.segments) {
    if (!known.includes(s.label)) problems.push(`unknown label "${s.label}" (use ${known.join(', ')})`);
    if (!(s.durationMs > 0) || !Number.isFinite(s.durationMs))
      problems.push(`segment ${s.label}: durationMs must be > 0`);
  }
  if (problems.length > 0) {
    throw new TsnError('E_SIM_ARGS', `renderActionVideo: ${problems.join('; ')}`, { context: { problems } });
  }
}
