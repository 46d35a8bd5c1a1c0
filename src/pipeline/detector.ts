// Window scores -> action episodes: moving average, per-label hysteresis, minimum run lengths, cooldown.
// Pure: time comes from the predictions themselves (wall-clock bounds of each window).
import type { ActionEvent, EpisodeEndReason, LabelScore, Prediction } from '../domain/index.js';
import { buildEvent, type Episode, type IdFactory } from './detector-events.js';
import type { DetectorSettings, ThresholdSettings } from './options.js';
import { topK } from './scores.js';

export interface DetectorOutput {
  readonly events: ActionEvent[];
  /** The window's prediction, or null when this camera's per-window predictions are switched off. */
  readonly prediction: Prediction | null;
}

export interface DetectorCameraConfig {
  readonly settings: DetectorSettings;
  readonly emitPredictions: boolean;
  /** Resolved gap limit (DetectorSettings.maxWindowGapMs, or the caller's derivation when that is 0). */
  readonly maxWindowGapMs: number;
}

interface RisingState {
  readonly phase: 'rising';
  windows: number;
  readonly firstWindowStartWallMs: number;
  peak: number;
}

type LabelState =
  | RisingState
  | { readonly phase: 'active'; readonly episode: Episode; below: number; lastOnWindowEndWallMs: number };

interface CameraState {
  readonly config: DetectorCameraConfig;
  /** Per label index: thresholds, or null when the label may not raise events. */
  readonly thresholds: readonly (ThresholdSettings | null)[];
  history: Float32Array[];
  readonly labels: Map<number, LabelState>;
  readonly cooldownUntilMs: Map<number, number>;
  last: { prediction: Prediction; smoothed: Float32Array } | null;
}

/**
 * Per camera: smoothed = mean of the last `smoothing` score vectors. A label starts after minWindowsOn
 * consecutive windows with smoothed >= onThreshold (not within cooldownMs of its last end) and ends after
 * minWindowsOff consecutive windows with smoothed < offThreshold. Several labels may be active at once.
 * Times: startedAt = wall-clock start of the first window of the qualifying run; endedAt = wall-clock end of
 * the last window still at or above offThreshold. A window gap (ends further apart than maxWindowGapMs), a
 * stream-clock step back, endCamera() or removeCamera() end open episodes with that reason and clear the
 * smoothing history; cooldown only follows score ends (an action still going on after a reconnect may start
 * again at once).
 */
export class Detector {
  private readonly cameras = new Map<string, CameraState>();

  constructor(
    private readonly labels: readonly string[],
    private readonly idFactory: IdFactory,
  ) {}

  /** Configures a camera with a fresh state (end its open episodes first when replacing a configuration). */
  setCamera(cameraId: string, config: DetectorCameraConfig): void {
    this.cameras.set(cameraId, {
      config,
      thresholds: this.resolveThresholds(config.settings),
      history: [],
      labels: new Map(),
      cooldownUntilMs: new Map(),
      last: null,
    });
  }

  push(prediction: Prediction): DetectorOutput {
    const state = this.cameras.get(prediction.cameraId);
    if (state === undefined) return { events: [], prediction };
    const events: ActionEvent[] = [];
    const last = state.last?.prediction;
    if (last !== undefined) {
      if (prediction.windowEndMs <= last.windowEndMs) events.push(...this.endAll(state, 'restart'));
      else if (prediction.windowEndMs - last.windowEndMs > state.config.maxWindowGapMs) {
        events.push(...this.endAll(state, 'gap'));
      }
    }
    const smoothed = this.smooth(state, prediction.scores);
    const top = topK(smoothed, state.config.settings.topK, this.labels);
    state.thresholds.forEach((t, index) => {
      if (t !== null) this.stepLabel(state, index, t, smoothed[index] ?? 0, prediction, top, events);
    });
    state.last = { prediction, smoothed };
    return { events, prediction: state.config.emitPredictions ? prediction : null };
  }

  /** Ends the camera's open episodes (e.g. its stream dropped); the camera stays configured. */
  endCamera(cameraId: string, reason: EpisodeEndReason): ActionEvent[] {
    const state = this.cameras.get(cameraId);
    return state === undefined ? [] : this.endAll(state, reason);
  }

  removeCamera(cameraId: string, reason: EpisodeEndReason = 'camera-removed'): ActionEvent[] {
    const events = this.endCamera(cameraId, reason);
    this.cameras.delete(cameraId);
    return events;
  }

  /** Labels currently active on a camera (for status pages and tests). */
  activeLabels(cameraId: string): string[] {
    const state = this.cameras.get(cameraId);
    if (state === undefined) return [];
    return [...state.labels.entries()]
      .filter(([, s]) => s.phase === 'active')
      .map(([index]) => this.labels[index] ?? String(index));
  }

  private stepLabel(
    state: CameraState,
    index: number,
    t: ThresholdSettings,
    score: number,
    window: Prediction,
    top: readonly LabelScore[],
    events: ActionEvent[],
  ): void {
    const current = state.labels.get(index);
    if (current?.phase === 'active') {
      current.episode.peakScore = Math.max(current.episode.peakScore, score);
      if (score >= t.offThreshold) {
        current.below = 0;
        current.lastOnWindowEndWallMs = window.windowEndWallMs;
        return;
      }
      current.below++;
      if (current.below < t.minWindowsOff) return;
      const endedAtMs = current.lastOnWindowEndWallMs;
      events.push(this.ended(current.episode, score, window, top, endedAtMs, 'score'));
      state.labels.delete(index);
      state.cooldownUntilMs.set(index, endedAtMs + t.cooldownMs);
      return;
    }
    const coolingDown =
      window.windowEndWallMs < (state.cooldownUntilMs.get(index) ?? Number.NEGATIVE_INFINITY);
    if (score < t.onThreshold || coolingDown) {
      if (current !== undefined) state.labels.delete(index);
      return;
    }
    const rising: RisingState = current ?? {
      phase: 'rising',
      windows: 0,
      firstWindowStartWallMs: window.windowStartWallMs,
      peak: 0,
    };
    rising.windows++;
    rising.peak = Math.max(rising.peak, score);
    if (rising.windows < t.minWindowsOn) {
      state.labels.set(index, rising);
      return;
    }
    const label = this.labels[index] ?? String(index);
    const episode: Episode = {
      episodeId: this.idFactory({ kind: 'episode', cameraId: window.cameraId, label }),
      labelIndex: index,
      label,
      startedAtMs: rising.firstWindowStartWallMs,
      peakScore: rising.peak,
    };
    state.labels.set(index, {
      phase: 'active',
      episode,
      below: 0,
      lastOnWindowEndWallMs: window.windowEndWallMs,
    });
    events.push(
      buildEvent({ type: 'action.started', episode, score, window, top, endedAtMs: null }, this.idFactory),
    );
  }

  private ended(
    episode: Episode,
    score: number,
    window: Prediction,
    top: readonly LabelScore[],
    endedAtMs: number,
    endReason: EpisodeEndReason,
  ): ActionEvent {
    return buildEvent(
      { type: 'action.ended', episode, score, window, top, endedAtMs, endReason },
      this.idFactory,
    );
  }

  private endAll(state: CameraState, reason: EpisodeEndReason): ActionEvent[] {
    const events: ActionEvent[] = [];
    const last = state.last;
    for (const [index, label] of state.labels) {
      if (label.phase !== 'active' || last === null) continue;
      const top = topK(last.smoothed, state.config.settings.topK, this.labels);
      const score = last.smoothed[index] ?? 0;
      events.push(
        this.ended(label.episode, score, last.prediction, top, label.lastOnWindowEndWallMs, reason),
      );
    }
    state.labels.clear();
    state.history = [];
    return events;
  }

  private smooth(state: CameraState, scores: Float32Array): Float32Array {
    state.history.push(scores);
    if (state.history.length > state.config.settings.smoothing) state.history.shift();
    if (state.history.length === 1) return scores;
    const out = new Float32Array(scores.length);
    for (const h of state.history) for (let i = 0; i < out.length; i++) out[i] = (out[i] ?? 0) + (h[i] ?? 0);
    for (let i = 0; i < out.length; i++) out[i] = (out[i] ?? 0) / state.history.length;
    return out;
  }

  private resolveThresholds(settings: DetectorSettings): (ThresholdSettings | null)[] {
    const allow = new Set(settings.labels.allow);
    const deny = new Set(settings.labels.deny);
    return this.labels.map((label) => {
      if (deny.has(label) || (allow.size > 0 && !allow.has(label))) return null;
      const o = settings.perLabel[label] ?? {};
      return {
        onThreshold: o.onThreshold ?? settings.onThreshold,
        offThreshold: o.offThreshold ?? settings.offThreshold,
        minWindowsOn: o.minWindowsOn ?? settings.minWindowsOn,
        minWindowsOff: o.minWindowsOff ?? settings.minWindowsOff,
        cooldownMs: o.cooldownMs ?? settings.cooldownMs,
      };
    });
  }
}
