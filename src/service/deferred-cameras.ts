// The HTTP server starts before the model is ready (a first start may download it), so /healthz and
// /readyz answer at once. Until the cameras exist, reads see none and changes are refused with 503.
import type { CameraManager, CameraView } from '../api/index.js';
import type { CameraPatch, CameraSpec } from '../config/index.js';
import { TsnError } from '../errors/index.js';

export class DeferredCameraManager implements CameraManager {
  private target: CameraManager | undefined;

  bind(target: CameraManager): void {
    this.target = target;
  }

  list(): readonly CameraView[] {
    return this.target?.list() ?? [];
  }

  get(id: string): CameraView | undefined {
    return this.target?.get(id);
  }

  add(spec: CameraSpec): Promise<CameraView> {
    return this.ready().add(spec);
  }

  patch(id: string, patch: CameraPatch): Promise<CameraView> {
    return this.ready().patch(id, patch);
  }

  remove(id: string): Promise<void> {
    return this.ready().remove(id);
  }

  private ready(): CameraManager {
    if (this.target === undefined) {
      throw new TsnError(
        'E_SERVICE_STARTING',
        'the service is still starting (loading the model); retry shortly',
      );
    }
    return this.target;
  }
}
