import type { Observable } from 'rxjs';
import type { CameraStatus, Frame } from '../domain/index.js';

/**
 * A camera as the rest of the service sees it, whatever its kind (rtsp, file replay, generic URL, WHIP).
 * frames$ and status$ are hot; status$ replays the current status to new subscribers.
 */
export interface CameraSource {
  readonly cameraId: string;
  readonly frames$: Observable<Frame>;
  readonly status$: Observable<CameraStatus>;
  start(): void;
  /** Stops the camera: kills its ffmpeg, clears timers, completes both observables. Idempotent. */
  close(): Promise<void>;
}
