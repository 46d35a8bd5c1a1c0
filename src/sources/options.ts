import { TsnError } from '../errors/index.js';
import { resolveIngestTarget, type FfmpegTarget, type SourceKind, type SourcePolicy } from './registry.js';

export type { SourceKind } from './registry.js';
export type RtspTransport = 'tcp' | 'udp';
export type HwAccel = 'none' | 'cuda' | 'vaapi';
/** Which coded frames ffmpeg decodes: every one, or keyframes only (see SourceOptions.decode). */
export type DecodeFrames = 'all' | 'keyframes' | 'picked';

/** `times` consecutive failures wait `delayMs` each; absent or Infinity (last step) means "forever". */
export interface BackoffStep {
  readonly delayMs: number;
  readonly times?: number;
}

/**
 * The size of every frame a source emits. It is fixed per source so ffmpeg's raw stdout can be cut into
 * frames without probing, and it stays fixed when the camera changes resolution mid-stream.
 * - 'center-crop': scale the short side to `shortSide` (aspect kept, PaddleVideo's rounding, bilinear),
 *   then crop width x height from the centre (floor offsets). 224x224 is PaddleVideo's CenterCrop.
 *   If the scaled picture would be smaller than the crop, it is scaled up just enough to cover it.
 * - 'scale': scale to exactly width x height (aspect NOT kept). Use it when the downstream wants the
 *   whole scaled picture, e.g. 341x256 for TenCrop of a 4:3 camera.
 */
export interface OutputGeometry {
  readonly width: number;
  readonly height: number;
  readonly mode: 'center-crop' | 'scale';
  /** Short side after scaling, for 'center-crop' (default 256). */
  readonly shortSide?: number;
}

export interface SourceOptions {
  /** Camera id: appears in frames, status, logs and metrics. Never contains credentials. */
  readonly id: string;
  /**
   * rtsp://user:pass@host/path, rtsps://, http(s):// (HLS included), a local file path or file:// URL.
   * What each scheme may do is decided by the source registry (registry.ts); anything else is E_SOURCE_URL.
   */
  readonly url: string;
  /**
   * The camera's low-resolution stream. When set, analysis ingests from it instead of `url`: TSN needs
   * 224 px, and decoding a 360p substream costs a fraction of the 1080p main stream.
   */
  readonly substreamUrl?: string;
  /** RTP over the RTSP TCP connection (default, survives NAT and loss) or over UDP. */
  readonly rtspTransport?: RtspTransport;
  /** Hardware decoding (default 'none'). Decoded frames are copied back to memory for the filters. */
  readonly hwaccel?: HwAccel;
  /** Device for hwaccel: a CUDA index ("0") or a VA-API render node ("/dev/dri/renderD128"). */
  readonly hwaccelDevice?: string;
  /**
   * 'all' (default): decode every frame; each segment gets the frame at its centre (PaddleVideo's pick).
   * 'keyframes': decode only keyframes (ffmpeg -skip_frame nokey), about a sixth of the decode CPU for a
   * 1 s GOP. Each segment then gets the latest keyframe, and every picture reaches the service one
   * keyframe interval late (the fps filter emits a picture when the next one arrives). For cameras whose
   * keyframe interval is at most a segment; longer GOPs repeat pictures across segments.
   * 'picked': decode only the frames each segment's centre frame needs (from its keyframe on) and drop
   * the rest of each GOP before the decoder (src/sources/decode-gate.ts). Same picks as 'all' on a
   * timeline aligned to the stream's keyframes; needs `segmentMs`.
   */
  readonly decode?: DecodeFrames;
  /**
   * The pipeline's segment length (windowMs / numSeg). Needed by decode 'picked', which decodes only
   * what each segment's centre frame needs: sampleFps x segmentMs / 1000 must be a whole number.
   */
  readonly segmentMs?: number;
  /** Frames per second handed to the pipeline; ffmpeg's fps filter selects them before conversion. */
  readonly sampleFps: number;
  /** Output frame geometry (default 224x224 center-crop of the short side scaled to 256). */
  readonly output?: OutputGeometry;
  /** File sources: replay forever (default false: the source stops at the end of the file). */
  readonly loop?: boolean;
  /** File sources: read at the native frame rate like a camera (default true). */
  readonly realtime?: boolean;
  /** Restart a camera that delivered no frame for this long after its first one (default 10 000). */
  readonly stallTimeoutMs?: number;
  /** Give up on a connection attempt with no first frame after this long (default 15 000). */
  readonly connectTimeoutMs?: number;
  /** Delays between reconnection attempts (default go2rtc's: 1 s x5, 5 s x5, 10 s x10, then 60 s forever). */
  readonly backoff?: readonly BackoffStep[];
  /** Wait after an authentication failure: retrying wrong credentials fast only gets the client banned (default 300 000). */
  readonly authRetryDelayMs?: number;
  /**
   * Restart a connection whose frames run this far ahead of real time: a camera clock that steps forward
   * makes ffmpeg's fps filter emit the whole step as copies of one picture. Default 10 000 for rtsp;
   * Infinity (off) for files and other URLs, which burst legitimately (HLS fetches whole segments).
   */
  readonly maxLeadMs?: number;
  /** A connection that streamed at least this long resets the backoff schedule (default 10 000). */
  readonly healthyAfterMs?: number;
  /** Between SIGTERM and SIGKILL when stopping ffmpeg (default 2 000). */
  readonly killGraceMs?: number;
  /** How many of ffmpeg's last stderr lines are kept to explain an exit (default 40). */
  readonly stderrLines?: number;
}

/** Everything but the URLs: what every source kind (ffmpeg or WHIP) resolves the same way. */
export type SourceSettings = Omit<SourceOptions, 'url' | 'substreamUrl'>;

export type ResolvedSourceSettings = Required<Omit<SourceSettings, 'hwaccelDevice' | 'output'>> & {
  readonly hwaccelDevice: string | undefined;
  readonly output: Required<OutputGeometry>;
};

export type ResolvedSourceOptions = ResolvedSourceSettings & {
  readonly url: string;
  readonly substreamUrl: string | undefined;
  /** What ffmpeg ingests (the substream when there is one), as the source registry resolved it. */
  readonly target: FfmpegTarget;
};

export const defaultBackoff: readonly BackoffStep[] = Object.freeze([
  { delayMs: 1_000, times: 5 },
  { delayMs: 5_000, times: 5 },
  { delayMs: 10_000, times: 10 },
  { delayMs: 60_000, times: Infinity },
]);

export const defaultOutput: Required<OutputGeometry> = Object.freeze({
  width: 224,
  height: 224,
  mode: 'center-crop',
  shortSide: 256,
});

/**
 * Fills defaults and checks ranges once, so the rest of the source trusts its options. The URLs go
 * through the source registry (E_SOURCE_URL); `policy` holds the file roots.
 */
export function resolveSourceOptions(
  options: SourceOptions,
  policy: SourcePolicy = {},
): ResolvedSourceOptions {
  if (options.id.trim() === '') throw optionsError('id must not be empty', { camera: options.id });
  const target = resolveIngestTarget(options.url, options.substreamUrl, policy);
  return Object.freeze({
    ...resolveSourceSettings(options, target.kind),
    url: options.url,
    substreamUrl: options.substreamUrl,
    target,
  });
}

/** Defaults and range checks for every source kind; `kind` picks the maxLeadMs default. */
export function resolveSourceSettings(options: SourceSettings, kind: SourceKind): ResolvedSourceSettings {
  if (options.id.trim() === '') throw optionsError('id must not be empty', { camera: options.id });
  const output = { ...defaultOutput, ...options.output };
  const resolved: ResolvedSourceSettings = {
    id: options.id,
    rtspTransport: options.rtspTransport ?? 'tcp',
    hwaccel: options.hwaccel ?? 'none',
    hwaccelDevice: options.hwaccelDevice,
    decode: options.decode ?? 'all',
    segmentMs: options.segmentMs ?? 0,
    sampleFps: options.sampleFps,
    output,
    loop: options.loop ?? false,
    realtime: options.realtime ?? true,
    stallTimeoutMs: options.stallTimeoutMs ?? 10_000,
    connectTimeoutMs: options.connectTimeoutMs ?? 15_000,
    backoff: options.backoff ?? defaultBackoff,
    authRetryDelayMs: options.authRetryDelayMs ?? 300_000,
    healthyAfterMs: options.healthyAfterMs ?? 10_000,
    maxLeadMs: options.maxLeadMs ?? (kind === 'rtsp' ? 10_000 : Infinity),
    killGraceMs: options.killGraceMs ?? 2_000,
    stderrLines: options.stderrLines ?? 40,
  };
  checkRanges(resolved);
  return Object.freeze(resolved);
}

/** Node fires a timer longer than 2^31-1 ms at once: a "long" timeout would become a tight loop. */
const maxTimerMs = 2_147_483_647;

function checkRanges(o: ResolvedSourceSettings): void {
  const context = { camera: o.id };
  if (!(o.sampleFps > 0 && o.sampleFps <= 120))
    throw optionsError(`sampleFps must be in (0, 120], got ${o.sampleFps}`, context);
  const { width, height, shortSide } = o.output;
  for (const [name, value] of [
    ['output.width', width],
    ['output.height', height],
    ['output.shortSide', shortSide],
  ] as const) {
    if (!Number.isInteger(value) || value < 2 || value > 8192)
      throw optionsError(`${name} must be an integer in [2, 8192], got ${value}`, context);
  }
  for (const [name, value] of [
    ['stallTimeoutMs', o.stallTimeoutMs],
    ['connectTimeoutMs', o.connectTimeoutMs],
    ['authRetryDelayMs', o.authRetryDelayMs],
    ['killGraceMs', o.killGraceMs],
  ] as const) {
    if (!(value > 0 && value <= maxTimerMs))
      throw optionsError(
        `${name} must be a positive number of ms up to ${maxTimerMs}, got ${value}`,
        context,
      );
  }
  if (!(o.maxLeadMs > 0))
    throw optionsError(`maxLeadMs must be > 0 (Infinity = off), got ${o.maxLeadMs}`, context);
  if (!(o.healthyAfterMs >= 0))
    throw optionsError(`healthyAfterMs must be >= 0, got ${o.healthyAfterMs}`, context);
  if (!(Number.isInteger(o.stderrLines) && o.stderrLines >= 1))
    throw optionsError(`stderrLines must be a positive integer`, context);
  checkBackoff(o.backoff, context);
  if (o.decode === 'picked') checkPickedDecode(o, context);
}

function checkPickedDecode(o: ResolvedSourceSettings, context: Record<string, unknown>): void {
  const slotsPerSegment = (o.sampleFps * o.segmentMs) / 1000;
  if (!(o.segmentMs > 0) || Math.abs(slotsPerSegment - Math.round(slotsPerSegment)) > 1e-6) {
    throw optionsError(
      `decode 'picked' needs a whole number of sampled frames per segment: sampleFps x segment seconds ` +
        `(got sampleFps ${o.sampleFps}, segment ${o.segmentMs} ms); e.g. sampleFps 2 with 1 s ` +
        `segments, or use decode 'all'`,
      context,
    );
  }
}

function checkBackoff(steps: readonly BackoffStep[], context: Record<string, unknown>): void {
  if (steps.length === 0) throw optionsError('backoff needs at least one step', context);
  for (const step of steps) {
    const times = step.times ?? Infinity;
    const timesOk = times === Infinity || (Number.isInteger(times) && times >= 1);
    if (!(step.delayMs >= 0 && step.delayMs <= maxTimerMs) || !timesOk) {
      throw optionsError(
        `backoff step {delayMs: ${step.delayMs}, times: ${String(step.times)}} is invalid`,
        context,
      );
    }
  }
}

function optionsError(message: string, context: Record<string, unknown>): TsnError {
  return new TsnError('E_SOURCE_OPTIONS', `camera ${String(context.camera)}: ${message}`, { context });
}
