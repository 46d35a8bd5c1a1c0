// What each action does to the figure over time: pose(t) plus horizontal motion. Pure functions of time.
import type { LimbAngles, Pose } from './skeleton.js';

export const ACTION_LABELS = ['wave', 'jumping_jacks', 'walk', 'squat', 'fall'] as const;
export type ActionLabel = (typeof ACTION_LABELS)[number];
/** What a segment may play: an action, or standing still between actions. */
export type SegmentLabel = ActionLabel | 'idle';

export interface ActionStyle {
  /** Time multiplier: 1.2 moves 20% faster. */
  readonly speed: number;
  /** Waving hand / falling direction / walking direction: +1 toward image right, -1 left. */
  readonly side: 1 | -1;
  /** Scales swing amplitudes (0.85..1.15). */
  readonly amplitude: number;
}

export interface ActionFrame {
  readonly pose: Pose;
  /** Horizontal velocity in figure heights per second (walking). */
  readonly velocity: number;
}

const TAU = 2 * Math.PI;
const limb = (upper: number, lower = 0): LimbAngles => ({ upper, lower });
const ease = (u: number): number => Math.min(1, Math.max(0, u)) ** 2;
const wave01 = (phase: number): number => (1 - Math.cos(TAU * phase)) / 2;

function standing(t: number): Pose {
  const sway = 0.04 * Math.sin(TAU * 0.3 * t);
  return {
    armL: limb(0.12 + sway, 0.1),
    armR: limb(0.12 - sway, 0.1),
    legL: limb(0.05),
    legR: limb(0.05),
    side: false,
    tilt: 0,
    lift: 0,
  };
}

/** Pose of `label` at `t` seconds into its segment. */
export function actionFrame(label: SegmentLabel, t: number, style: ActionStyle): ActionFrame {
  const ts = t * style.speed;
  const amp = style.amplitude;
  switch (label) {
    case 'idle':
      return { pose: standing(ts), velocity: 0 };
    case 'wave': {
      const raised = limb(2.3, 0.45 + 0.6 * amp * Math.sin((TAU * ts) / 0.8));
      const base = standing(ts);
      const pose = style.side > 0 ? { ...base, armR: raised } : { ...base, armL: raised };
      return { pose, velocity: 0 };
    }
    case 'jumping_jacks': {
      const s = wave01(ts / 0.9);
      return {
        pose: {
          armL: limb(0.15 + 2.6 * amp * s, 0.15 * s),
          armR: limb(0.15 + 2.6 * amp * s, 0.15 * s),
          legL: limb(0.05 + 0.32 * amp * s),
          legR: limb(0.05 + 0.32 * amp * s),
          side: false,
          tilt: 0,
          lift: 0.07 * Math.abs(Math.sin((TAU * ts) / 0.9)),
        },
        velocity: 0,
      };
    }
    case 'walk': {
      const p = (TAU * ts) / 1.0;
      const swing = 0.45 * amp * Math.sin(p);
      const d = style.side;
      return {
        pose: {
          armL: limb(-d * 0.4 * amp * Math.sin(p), d * 0.3),
          armR: limb(d * 0.4 * amp * Math.sin(p), d * 0.3),
          legL: limb(d * swing, -d * 0.7 * Math.max(0, -Math.cos(p))),
          legR: limb(-d * swing, -d * 0.7 * Math.max(0, Math.cos(p))),
          side: true,
          tilt: 0,
          lift: 0,
        },
        velocity: d * 0.35 * style.speed,
      };
    }
    case 'squat': {
      const s = wave01(ts / 2.0);
      return {
        pose: {
          armL: limb(0.12 + 1.35 * amp * s),
          armR: limb(0.12 + 1.35 * amp * s),
          legL: limb(0.05 + 1.1 * s, -1.05 * s),
          legR: limb(0.05 + 1.1 * s, -1.05 * s),
          side: false,
          tilt: 0,
          lift: 0,
        },
        velocity: 0,
      };
    }
    case 'fall': {
      // A short stand, a fall accelerating over 0.7 s, then lying still with a little movement.
      const u = ease((ts - 0.3) / 0.7);
      const flail = 0.2 * Math.sin(TAU * ts * 1.5) * (1 - u * 0.5);
      const base = standing(ts);
      return {
        pose: {
          ...base,
          armL: limb(0.2 + 1.6 * u + flail, 0.4 * u),
          armR: limb(0.2 + 1.6 * u - flail, 0.4 * u),
          legL: limb(0.05 + 0.25 * u),
          legR: limb(0.05 + 0.1 * u),
          tilt: -style.side * (Math.PI / 2) * u,
        },
        velocity: 0,
      };
    }
  }
}
