// The ground truth of a synthetic action camera: a seeded loop of actions separated by idle gaps, and its
// mapping to wall-clock time once the loop is playing. Pure functions: no clock, no I/O.
import { TsnError } from '../../../src/errors/index.js';
import { seededRandom } from '../faults.js';

export interface ScheduleSpec {
  readonly seed: number;
  /** Labels to draw from (never the same one twice in a row, including across the loop's wrap). */
  readonly labels: readonly string[];
  /** The loop is at least this long (whole actions and gaps are added until it is). */
  readonly minLoopMs: number;
  /** [min, max] duration of one action, in whole seconds' steps. */
  readonly actionMs: readonly [number, number];
  /** [min, max] duration of one idle gap (the loop starts and ends with one). */
  readonly idleMs: readonly [number, number];
}

/** One part of the loop, as the renderer plays it. */
export interface ScheduleSegment {
  readonly label: string;
  readonly durationMs: number;
}

/** An action inside the loop: [startMs, endMs) from the loop's first frame. */
export interface ScheduledAction {
  readonly label: string;
  readonly startMs: number;
  readonly endMs: number;
}

export interface ActionSchedule {
  readonly seed: number;
  readonly loopMs: number;
  /** idle, action, idle, action, ..., idle: what the renderer draws. */
  readonly segments: readonly ScheduleSegment[];
  /** The actions alone, with offsets in the loop. */
  readonly actions: readonly ScheduledAction[];
}

export const IDLE_LABEL = 'idle';

/** Defaults of the live action cameras: 6-9 s actions, 4-7 s gaps (longer than a 4 s window). */
export const defaultScheduleTiming = {
  minLoopMs: 120_000,
  actionMs: [6_000, 9_000],
  idleMs: [4_000, 7_000],
} as const;

/** Deterministic: the same spec always gives the same schedule. */
export function actionSchedule(spec: ScheduleSpec): ActionSchedule {
  checkSpec(spec);
  const random = seededRandom(spec.seed);
  const between = ([lo, hi]: readonly [number, number]): number =>
    lo + 1000 * Math.floor(random() * (Math.floor((hi - lo) / 1000) + 1));
  const segments: ScheduleSegment[] = [];
  const actions: ScheduledAction[] = [];
  let atMs = 0;
  const push = (label: string, durationMs: number): void => {
    segments.push({ label, durationMs });
    if (label !== IDLE_LABEL) actions.push({ label, startMs: atMs, endMs: atMs + durationMs });
    atMs += durationMs;
  };
  push(IDLE_LABEL, between(spec.idleMs));
  while (atMs < spec.minLoopMs) {
    const previous = actions.at(-1)?.label;
    const candidates = spec.labels.filter((l) => l !== previous);
    // The loop's last action must differ from its first, so the wrap never repeats a label either.
    const closing = atMs + spec.actionMs[1] + spec.idleMs[1] >= spec.minLoopMs && actions.length > 0;
    const allowed = closing ? candidates.filter((l) => l !== actions[0]?.label) : candidates;
    const pool = allowed.length > 0 ? allowed : candidates;
    push(pool[Math.floor(random() * pool.length)] as string, between(spec.actionMs));
    push(IDLE_LABEL, between(spec.idleMs));
  }
  return { seed: spec.seed, loopMs: atMs, segments, actions };
}

/** An action placed in wall-clock time. */
export interface WallAction {
  readonly label: string;
  readonly startWallMs: number;
  readonly endWallMs: number;
}

/**
 * The actions that overlap [fromWallMs, toWallMs) when the loop's first frame played at anchorWallMs and
 * the loop repeats back to back from there.
 */
export function actionsBetween(
  schedule: Pick<ActionSchedule, 'loopMs' | 'actions'>,
  anchorWallMs: number,
  fromWallMs: number,
  toWallMs: number,
): WallAction[] {
  const out: WallAction[] = [];
  const first = Math.max(0, Math.floor((fromWallMs - anchorWallMs) / schedule.loopMs));
  for (let loop = first; anchorWallMs + loop * schedule.loopMs < toWallMs; loop++) {
    const base = anchorWallMs + loop * schedule.loopMs;
    for (const a of schedule.actions) {
      const startWallMs = base + a.startMs;
      const endWallMs = base + a.endMs;
      if (endWallMs > fromWallMs && startWallMs < toWallMs)
        out.push({ label: a.label, startWallMs, endWallMs });
    }
  }
  return out;
}

function checkSpec(spec: ScheduleSpec): void {
  const range = (r: readonly [number, number]): boolean =>
    Number.isInteger(r[0]) && Number.isInteger(r[1]) && r[0] >= 1000 && r[1] >= r[0] && r[0] % 1000 === 0;
  const problems = [
    Number.isInteger(spec.seed) ? '' : `seed ${spec.seed} must be an integer`,
    spec.labels.length >= 2 ? '' : 'at least two labels are needed (no label repeats back to back)',
    spec.labels.includes(IDLE_LABEL) ? `"${IDLE_LABEL}" is the gap, not an action label` : '',
    range(spec.actionMs) ? '' : 'actionMs must be [min, max] whole seconds, min >= 1000, max >= min',
    range(spec.idleMs) ? '' : 'idleMs must be [min, max] whole seconds, min >= 1000, max >= min',
    spec.minLoopMs > 0 && spec.minLoopMs <= 3_600_000 ? '' : 'minLoopMs must be in (0, 1 h]',
  ].filter((p) => p !== '');
  if (problems.length > 0) {
    throw new TsnError('E_SIM_ARGS', `action schedule: ${problems.join('; ')}`, { context: { problems } });
  }
}
