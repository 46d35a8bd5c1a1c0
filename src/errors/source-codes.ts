// Camera sources, ffmpeg supervision and the simulators.
// Only configuration is thrown; what goes wrong at run time (auth, network, ffmpeg missing) is reported
// on the camera's status$ as a CameraFault, because a camera must never take the service down.
export const sourceErrorCodes = [
  /**
   * The camera URL (or substreamUrl) is refused before any process starts: a scheme no source handles,
   * no host, a file outside config sources.fileRoots, missing or not a regular file (HTTP 400).
   */
  'E_SOURCE_URL',
  /** Adding the camera would exceed config sources.maxCameras (HTTP 400 through the API). */
  'E_SOURCE_CAMERA_LIMIT',
  /** A source option is out of range (sampleFps, output size, backoff steps, timeouts). */
  'E_SOURCE_OPTIONS',
] as const;
