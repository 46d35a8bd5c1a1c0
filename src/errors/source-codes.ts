// Camera sources, ffmpeg supervision and the simulators.
export const sourceErrorCodes = ['E_SOURCE_URL'] as const;
