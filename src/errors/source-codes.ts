// Camera sources, ffmpeg supervision and the simulators.
// Only configuration is thrown; what goes wrong at run time (auth, network, ffmpeg missing) is reported
// on the camera's status$ as a CameraFault, because a camera must never take the service down.
export const sourceErrorCodes = [
  /** The camera URL is empty or its scheme does not fit the requested kind. */
  'E_SOURCE_URL',
  /** A source option is out of range (sampleFps, output size, backoff steps, timeouts). */
  'E_SOURCE_OPTIONS',
] as const;
