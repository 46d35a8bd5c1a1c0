// Ties a camera's schedule to wall time: the loop's first frame plays when its encoder delivers its first
// picture after starting (from idle or after a crash), so every start re-anchors the schedule.
import type { ActionSchedule, ScheduledAction } from './schedule.js';

/** What the control API and the service's schedule file show for one camera. */
export interface CameraSchedule {
  readonly camera: string;
  readonly seed: number;
  readonly loopMs: number;
  /** Wall time (ms since the epoch) of the loop's first frame; null until someone watches the camera. */
  readonly anchorWallMs: number | null;
  /** Offsets in the loop; action k of loop n plays at anchorWallMs + n x loopMs + startMs. */
  readonly actions: readonly ScheduledAction[];
}

export interface StartSignal {
  onStarted(listener: () => void): () => void;
}

export class ScheduleClock {
  private anchorWallMs: number | null = null;
  private readonly listeners = new Set<(schedule: CameraSchedule) => void>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly camera: string,
    private readonly schedule: ActionSchedule,
    feed: StartSignal,
    now: () => number,
  ) {
    this.unsubscribe = feed.onStarted(() => {
      this.anchorWallMs = now();
      const snapshot = this.snapshot();
      for (const listener of [...this.listeners]) listener(snapshot);
    });
  }

  snapshot(): CameraSchedule {
    return {
      camera: this.camera,
      seed: this.schedule.seed,
      loopMs: this.schedule.loopMs,
      anchorWallMs: this.anchorWallMs,
      actions: this.schedule.actions,
    };
  }

  /** Called with the new schedule each time the loop restarts from its first frame. */
  watch(listener: (schedule: CameraSchedule) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.listeners.clear();
    this.unsubscribe();
  }
}
