// The articulated figure in its own units (figure height = 1, y up, feet on y = 0): a pose is a set of
// joint angles; forwardKinematics turns it into joint positions. Pure and allocation-light.

/** Angles in radians from straight down; positive swings toward +x (image right). */
export interface LimbAngles {
  readonly upper: number;
  /** Relative to the upper segment. */
  readonly lower: number;
}

export interface Pose {
  /** The limbs drawn on the image's left and right (a front view mirrors the left ones). */
  readonly armL: LimbAngles;
  readonly armR: LimbAngles;
  readonly legL: LimbAngles;
  readonly legR: LimbAngles;
  /** true: limbs swing in the image plane from one hip/shoulder point (side view, walking). */
  readonly side: boolean;
  /** Whole-body rotation about the feet (falling), radians, positive = counter-clockwise. */
  readonly tilt: number;
  /** Lift of the lowest point above the ground (hops), in figure heights. */
  readonly lift: number;
}

export type Point = readonly [number, number];

export interface Joints {
  readonly head: Point;
  readonly neck: Point;
  readonly hip: Point;
  readonly shoulderL: Point;
  readonly shoulderR: Point;
  readonly elbowL: Point;
  readonly elbowR: Point;
  readonly handL: Point;
  readonly handR: Point;
  readonly hipL: Point;
  readonly hipR: Point;
  readonly kneeL: Point;
  readonly kneeR: Point;
  readonly footL: Point;
  readonly footR: Point;
}

export const BODY = {
  torso: 0.3,
  neck: 0.05,
  headRadius: 0.075,
  shoulderHalf: 0.09,
  hipHalf: 0.05,
  upperArm: 0.16,
  forearm: 0.15,
  thigh: 0.23,
  shin: 0.23,
} as const;

const dir = (angle: number, mirror: boolean): Point => [
  (mirror ? -1 : 1) * Math.sin(angle),
  -Math.cos(angle),
];
const add = (p: Point, d: Point, len: number): Point => [p[0] + d[0] * len, p[1] + d[1] * len];

function limb(root: Point, a: LimbAngles, upper: number, lower: number, mirror: boolean): [Point, Point] {
  const mid = add(root, dir(a.upper, mirror), upper);
  return [mid, add(mid, dir(a.upper + a.lower, mirror), lower)];
}

/** Joint positions with the lowest point (feet, or the body when lying) on y = lift. */
export function forwardKinematics(pose: Pose): Joints {
  const mirror = !pose.side;
  const hipHalf = pose.side ? 0 : BODY.hipHalf;
  const shoulderHalf = pose.side ? 0 : BODY.shoulderHalf;
  const hip: Point = [0, 0];
  const neck: Point = [0, BODY.torso];
  const head: Point = [0, BODY.torso + BODY.neck + BODY.headRadius];
  const shoulderL: Point = [-shoulderHalf, BODY.torso - 0.02];
  const shoulderR: Point = [shoulderHalf, BODY.torso - 0.02];
  const hipL: Point = [-hipHalf, 0];
  const hipR: Point = [hipHalf, 0];
  const [elbowL, handL] = limb(shoulderL, pose.armL, BODY.upperArm, BODY.forearm, mirror);
  const [elbowR, handR] = limb(shoulderR, pose.armR, BODY.upperArm, BODY.forearm, false);
  const [kneeL, footL] = limb(hipL, pose.legL, BODY.thigh, BODY.shin, mirror);
  const [kneeR, footR] = limb(hipR, pose.legR, BODY.thigh, BODY.shin, false);
  const raw: Joints = {
    head,
    neck,
    hip,
    shoulderL,
    shoulderR,
    elbowL,
    elbowR,
    handL,
    handR,
    hipL,
    hipR,
    kneeL,
    kneeR,
    footL,
    footR,
  };
  return settle(raw, pose.tilt, pose.lift);
}

/** Rotates about the lower foot, then shifts so the lowest point (head included) rests at y = lift. */
function settle(j: Joints, tilt: number, lift: number): Joints {
  const pivot: Point = j.footL[1] < j.footR[1] ? j.footL : j.footR;
  const c = Math.cos(tilt);
  const s = Math.sin(tilt);
  const rotate = (p: Point): Point => {
    const x = p[0] - pivot[0];
    const y = p[1] - pivot[1];
    return [pivot[0] + x * c - y * s, pivot[1] + x * s + y * c];
  };
  const entries = Object.entries(j).map(([k, p]) => [k, rotate(p)] as const);
  let low = Infinity;
  for (const [k, p] of entries) low = Math.min(low, k === 'head' ? p[1] - BODY.headRadius : p[1]);
  return Object.fromEntries(entries.map(([k, p]) => [k, [p[0], p[1] - low + lift]])) as unknown as Joints;
}
