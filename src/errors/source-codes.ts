// Camera sources, ffmpeg supervision and the simulators.
export const sourceErrorCodes = [
  /** The camera URL is empty, unparsable, or its scheme does not fit the requested kind. */
  'E_SOURCE_URL',
  /** A source option is out of range (sampleFps, output size, backoff steps, timeouts). */
  'E_SOURCE_OPTIONS',
  /** ffmpeg could not be started for a camera (binary missing or not executable). */
  'E_SOURCE_SPAWN',
] as const;
