// Per-camera settings: one set of defaults for every camera, and per-camera overrides of any of them.
// Each field is declared once (base) and then used twice: with its default in `defaults`, optional in
// a camera entry, so the two can never drift apart.
import { z } from 'zod';
import { positiveTimerMs, timerMs } from './limits.js';

const positiveInt = () => z.number().int().positive();
const probability = () => z.number().min(0).max(1);

/** Camera ids become NATS subject tokens and URL path segments: keep them to a safe alphabet. */
export const cameraIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'camera id: 1-64 characters from A-Z a-z 0-9 _ -')
  .describe('Camera id: 1-64 characters from A-Z a-z 0-9 _ - (used in NATS subjects and URLs).');

/** Reconnecting faster than this only hammers the camera (and spawns ffmpeg in a loop). */
export const minBackoffDelayMs = 250;
/** Source timers beyond a day are typos; beyond 2^31-1 ms Node would fire them at once. */
const maxSourceTimerMs = 86_400_000;

const backoffSchema = z
  .array(
    z.strictObject({
      delayMs: z
        .number()
        .int()
        .min(minBackoffDelayMs, `backoff delayMs: at least ${minBackoffDelayMs} ms`)
        .max(maxSourceTimerMs, 'backoff delayMs: at most 86400000 (a day)')
        .describe(`Wait before each reconnect attempt of this step (at least ${minBackoffDelayMs}).`),
      times: positiveInt().optional().describe('Attempts at this delay; absent = forever (last step only).'),
    }),
  )
  .min(1)
  .refine((steps) => steps.slice(0, -1).every((s) => s.times !== undefined), {
    message: 'only the last backoff step may omit times (= forever)',
  })
  .describe('Reconnect delays. Absent: 1 s x5, 5 s x5, 10 s x10, then 60 s forever.');

const thresholdsBase = {
  onThreshold: probability().describe('Smoothed score at or above which a label becomes active.'),
  offThreshold: probability().describe('Smoothed score below which an active label ends (hysteresis).'),
  minWindowsOn: positiveInt().describe('Consecutive windows above onThreshold before action.started.'),
  minWindowsOff: positiveInt().describe('Consecutive windows below offThreshold before action.ended.'),
  cooldownMs: timerMs().describe('After an episode ends, the same label cannot start again for this long.'),
};

const perLabelSchema = z
  .record(z.string().min(1), z.strictObject(thresholdsBase).partial())
  .describe('Per-label threshold overrides, keyed by label name.');

const detectorBase = {
  smoothing: positiveInt().describe('Moving average over the last K window scores (1 = no smoothing).'),
  ...thresholdsBase,
  topK: positiveInt().max(50).describe('How many top labels events and predictions carry.'),
  labels: z
    .strictObject({
      allow: z.array(z.string().min(1)).describe('Only these labels raise events (empty = all).'),
      deny: z.array(z.string().min(1)).describe('These labels never raise events.'),
    })
    .partial(),
  perLabel: perLabelSchema,
  maxWindowGapMs: timerMs().describe(
    'Windows further apart than this end open episodes (stream stalled). 0 = 2 strides + 1 segment.',
  ),
};

const detectorDefaults = z
  .strictObject({
    smoothing: detectorBase.smoothing.default(3),
    onThreshold: detectorBase.onThreshold.default(0.5),
    offThreshold: detectorBase.offThreshold.default(0.3),
    minWindowsOn: detectorBase.minWindowsOn.default(2),
    minWindowsOff: detectorBase.minWindowsOff.default(2),
    cooldownMs: detectorBase.cooldownMs.default(5000),
    topK: detectorBase.topK.default(5),
    labels: z
      .strictObject({
        allow: detectorBase.labels.shape.allow.default([]),
        deny: detectorBase.labels.shape.deny.default([]),
      })
      .prefault({}),
    perLabel: perLabelSchema.default({}),
    maxWindowGapMs: detectorBase.maxWindowGapMs.default(0),
  })
  .refine((d) => d.offThreshold <= d.onThreshold, {
    message: 'offThreshold must not exceed onThreshold',
    path: ['offThreshold'],
  })
  .describe('Turns per-window scores into action.started / action.ended events.');

const cameraSettingsBase = {
  numSeg: positiveInt()
    .max(64)
    .describe("Segments per window (TSN num_seg). Absent: the model's trained default."),
  windowMs: positiveTimerMs().min(100).describe('Length of one recognition window.'),
  strideSegments: positiveInt().describe('A prediction every this many segments (1 = every segment).'),
  sampleFps: z
    .number()
    .positive()
    .max(60)
    .describe('Frames per second decoded by ffmpeg (fps filter) before segment selection.'),
  crop: z.enum(['center', 'ten']).describe('center: one 224 crop; ten: TenCrop (10 views, 10x the compute).'),
  maxGapMs: timerMs().describe(
    'A pause between frames longer than this restarts the window. 0 = 3 segments.',
  ),
  missingSegment: z
    .enum(['nearest', 'skip'])
    .describe('A segment without a frame (short gap): reuse the nearest frame, or skip the window.'),
  pick: z
    .enum(['paddle', 'nearest'])
    .describe("Frame kept per segment: paddle = PaddleVideo's sampler (latest at or before the centre)."),
  stallTimeoutMs: positiveInt()
    .max(maxSourceTimerMs, 'stallTimeoutMs: at most 86400000 (a day)')
    .describe('No frame for this long = stalled; the source reconnects.'),
  connectTimeoutMs: positiveInt()
    .max(maxSourceTimerMs, 'connectTimeoutMs: at most 86400000 (a day)')
    .describe('A connection attempt without a first frame after this long fails.'),
  backoff: backoffSchema,
  rtspTransport: z.enum(['tcp', 'udp']).describe('RTSP transport for rtsp:// cameras.'),
  hwaccel: z.enum(['none', 'cuda', 'vaapi']).describe('Hardware decoding ("none" = software).'),
  hwaccelDevice: z.string().min(1).describe('CUDA index ("0") or VA-API render node (/dev/dri/renderD128).'),
  decode: z
    .enum(['all', 'picked', 'keyframes'])
    .describe(
      'all: decode every frame (each segment gets its centre frame). picked: decode only the frames ' +
        "each segment's centre frame needs (from its keyframe on), the same picks on a timeline aligned " +
        'to the keyframes; needs sampleFps x segment seconds whole (1 or 2 fps with 1 s segments). ' +
        'keyframes: decode keyframes only; each segment gets the latest keyframe, one keyframe interval ' +
        'later. WHIP cameras decode every frame.',
    ),
  loop: z.boolean().describe('File cameras: replay the file forever.'),
  publishPredictions: z
    .boolean()
    .describe('Also publish every window prediction (NATS predictions subject, WebSocket).'),
};

export const cameraDefaultsSchema = z
  .strictObject({
    numSeg: cameraSettingsBase.numSeg.optional(),
    windowMs: cameraSettingsBase.windowMs.default(4000),
    strideSegments: cameraSettingsBase.strideSegments.default(1),
    sampleFps: cameraSettingsBase.sampleFps.default(4),
    crop: cameraSettingsBase.crop.default('center'),
    maxGapMs: cameraSettingsBase.maxGapMs.default(0),
    missingSegment: cameraSettingsBase.missingSegment.default('nearest'),
    pick: cameraSettingsBase.pick.default('paddle'),
    stallTimeoutMs: cameraSettingsBase.stallTimeoutMs.default(10_000),
    connectTimeoutMs: cameraSettingsBase.connectTimeoutMs.default(15_000),
    backoff: cameraSettingsBase.backoff.optional(),
    rtspTransport: cameraSettingsBase.rtspTransport.default('tcp'),
    hwaccel: cameraSettingsBase.hwaccel.default('none'),
    hwaccelDevice: cameraSettingsBase.hwaccelDevice.optional(),
    decode: cameraSettingsBase.decode.default('all'),
    loop: cameraSettingsBase.loop.default(false),
    detector: detectorDefaults.prefault({}),
    publishPredictions: cameraSettingsBase.publishPredictions.default(false),
  })
  .describe('Settings every camera starts from; a camera entry may override any of them.');

const cameraOverridesShape = {
  ...cameraSettingsBase,
  detector: z.strictObject(detectorBase).partial(),
};

/**
 * A camera as written in the config, the state file and the POST body. URL schemes: rtsp://, rtsps://,
 * http(s):// (anything ffmpeg opens), file paths, sim://NAME (embedded simulator, see configs/default.yaml).
 */
export const cameraSchema = z.strictObject({
  id: cameraIdSchema,
  url: z
    .string()
    .min(1)
    .describe('rtsp://, rtsps://, http(s)://, a file path or file://, sim://NAME, or whip://. Nothing else.'),
  substreamUrl: z
    .string()
    .min(1)
    .optional()
    .describe("The camera's low-resolution stream, used for analysis."),
  enabled: z.boolean().default(true).describe('A disabled camera is kept but not connected.'),
  ...z.strictObject(cameraOverridesShape).partial().shape,
});

/** What PATCH /v1/cameras/:id accepts: anything but the id. */
export const cameraPatchSchema = z
  .strictObject({
    url: cameraSchema.shape.url,
    substreamUrl: z.string().min(1),
    enabled: z.boolean(),
    ...cameraOverridesShape,
  })
  .partial();

export type CameraDefaults = z.output<typeof cameraDefaultsSchema>;
export type CameraSpec = z.output<typeof cameraSchema>;
export type CameraSpecInput = z.input<typeof cameraSchema>;
export type CameraPatch = z.output<typeof cameraPatchSchema>;
