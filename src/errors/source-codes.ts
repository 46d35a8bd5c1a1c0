// Camera sources, ffmpeg supervision and the simulators.
// Only configuration is thrown; what goes wrong at run time (auth, network, ffmpeg missing) is reported
// on the camera's status$ as a CameraFault, because a camera must never take the service down.
import type { ErrorCatalog } from './catalog.js';

export const sourceErrors = {
  /**
   * The camera URL (or substreamUrl) is refused before any process starts: a scheme no source handles,
   * no host, a file outside config sources.fileRoots, missing or not a regular file.
   */
  E_SOURCE_URL: { status: 400 },
  /** A source option is out of range (sampleFps, output size, backoff steps, timeouts). */
  E_SOURCE_OPTIONS: { status: 400 },
  /** The service already runs as many cameras as it may (sources.maxCameras); remove one first. */
  E_SOURCE_CAMERA_LIMIT: { status: 409 },
} as const satisfies ErrorCatalog;
