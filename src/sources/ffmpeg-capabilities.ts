/**
 * Option names that changed between ffmpeg releases. Derived from libavformat's version because the
 * static builds (e.g. @ffmpeg-installer/ffmpeg's) print "N-47683-g..." instead of a release number.
 */
export interface FfmpegCapabilities {
  /** libavformat [major, minor]: 58.x = ffmpeg 4, 59.x = ffmpeg 5, 60.x = 6, 61.x = 7. */
  readonly libavformat: readonly [number, number];
}

/** Debian 12's ffmpeg 5.1. */
export const ffmpeg51: FfmpegCapabilities = Object.freeze({ libavformat: [59, 27] as const });

/** Parses `ffmpeg -version` output; undefined when the libavformat line is missing. */
export function parseFfmpegCapabilities(versionText: string): FfmpegCapabilities | undefined {
  const match = /libavformat\s+(\d+)\.\s*(\d+)\./.exec(versionText);
  if (match === null) return undefined;
  return { libavformat: [Number(match[1]), Number(match[2])] };
}

/**
 * RTSP's socket I/O timeout: `-timeout` from ffmpeg 5 (libavformat 59); before that `-timeout` meant
 * "listen for an incoming connection" and the I/O timeout was `-stimeout`.
 */
export function rtspTimeoutOption(caps: FfmpegCapabilities): '-timeout' | '-stimeout' {
  return caps.libavformat[0] >= 59 ? '-timeout' : '-stimeout';
}

/** `-fps_mode` arrived in ffmpeg 5.1 (libavformat 59.27); older releases spell it `-vsync`. */
export function passthroughTimingArgs(caps: FfmpegCapabilities): string[] {
  const [major, minor] = caps.libavformat;
  return major > 59 || (major === 59 && minor >= 27)
    ? ['-fps_mode', 'passthrough']
    : ['-vsync', 'passthrough'];
}

/**
 * Output frames ffmpeg's command line holds back before writing one: ffmpeg 5 writes each decoded
 * frame only once the filters made the next (measured with 5.1 over RTSP and MPEG-TS pipes: every frame
 * one frame period late; -flush_packets and -avioflags direct do not change it); the 4.x static build
 * writes each at once. Later releases are not measured and are taken to behave like 5.
 */
export function decoderOutputLag(caps: FfmpegCapabilities): number {
  return caps.libavformat[0] >= 59 ? 1 : 0;
}
