import type { CameraRuntime } from './rtsp/camera-runtime.js';
import type { TimerSet } from './timer-set.js';

/**
 * Applies changeResolution faults. afterMs counts from when the fault is set, or from the encoder's first
 * picture when nobody watched yet (a fault given at start-up then still happens mid-stream).
 */
export class ResolutionFaults {
  private readonly cancels = new Map<CameraRuntime, () => void>();

  constructor(private readonly timers: TimerSet) {}

  attach(camera: CameraRuntime): void {
    camera.feed.onStarted(() => {
      if (camera.faults.changeResolution !== undefined && !this.cancels.has(camera)) this.apply(camera);
    });
  }

  apply(camera: CameraRuntime): void {
    this.cancels.get(camera)?.();
    this.cancels.delete(camera);
    const change = camera.faults.changeResolution;
    if (change === undefined) {
      camera.feed.setSize(undefined);
      return;
    }
    if (!camera.feed.running) return;
    const size = { width: change.width, height: change.height };
    const cancel = this.timers.after(change.afterMs ?? 0, () => {
      this.cancels.delete(camera);
      camera.feed.setSize(size);
    });
    this.cancels.set(camera, cancel);
  }
}
