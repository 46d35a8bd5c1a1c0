// Per-camera settings: one set of defaults for every camera, and per-camera overrides of any of them.
// Each field is declared once (base) and then used twice: with its default in `defaults`, optional in
// a camera entry, so the two can never drift apart.
import { z } from 'zod';

const positiveInt = () => z.number().int().positive();
const nonNegativeInt = () => z.number().int().nonnegative();
const probability = () => z.number().min(0).max(1);

/** Camera ids become NATS subject tokens and URL path segments: keep them to a safe alphabet. */
export const cameraIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'camera id: 1-64 characters from A-Z a-z 0-9 _ -')
  .describe('Camera id: 1-64 characters from A-Z a-z 0-9 _ - (used in NATS subjects and URLs).');

const backoffBase = {
  initialMs: positiveInt().describe('First reconnect delay.'),
  maxMs: positiveInt().describe('Longest reconnect delay.'),
  factor: z.number().min(1).describe('Each failed attempt multiplies the delay by this.'),
  jitter: probability().describe('Random spread as a fraction of the delay (0.2 = +-20%).'),
};

const thresholdsBase = {
  onThreshold: probability().describe('Smoothed score at or above which a label becomes active.'),
  offThreshold: probability().describe('Smoothed score below which an active label ends (hysteresis).'),
  minWindowsOn: positiveInt().describe('Consecutive windows above onThreshold before action.started.'),
  minWindowsOff: positiveInt().describe('Consecutive windows below offThreshold before action.ended.'),
  cooldownMs: nonNegativeInt().describe(
    'After an episode ends, the same label cannot start again for this long.',
  ),
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
  windowMs: positiveInt().min(100).describe('Length of one recognition window.'),
  strideSegments: positiveInt().describe('A prediction every this many segments (1 = every segment).'),
  sampleFps: z
    .number()
    .positive()
    .max(60)
    .describe('Frames per second decoded by ffmpeg (fps filter) before segment selection.'),
  crop: z.enum(['center', 'ten']).describe('center: one 224 crop; ten: TenCrop (10 views, 10x the compute).'),
  stallTimeoutMs: positiveInt().describe('No frame for this long = stalled; the source reconnects.'),
  backoff: z.strictObject(backoffBase).partial(),
  rtspTransport: z.enum(['tcp', 'udp']).describe('RTSP transport for rtsp:// cameras.'),
  hwaccel: z
    .enum(['none', 'auto', 'cuda', 'vaapi', 'qsv', 'videotoolbox'])
    .describe('ffmpeg -hwaccel for decoding ("none" = software).'),
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
    stallTimeoutMs: cameraSettingsBase.stallTimeoutMs.default(10_000),
    backoff: z
      .strictObject({
        initialMs: backoffBase.initialMs.default(500),
        maxMs: backoffBase.maxMs.default(30_000),
        factor: backoffBase.factor.default(2),
        jitter: backoffBase.jitter.default(0.2),
      })
      .prefault({}),
    rtspTransport: cameraSettingsBase.rtspTransport.default('tcp'),
    hwaccel: cameraSettingsBase.hwaccel.default('none'),
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
  url: z.string().min(1).describe('rtsp://, rtsps://, http(s)://, a file path, or sim://NAME.'),
  enabled: z.boolean().default(true).describe('A disabled camera is kept but not connected.'),
  ...z.strictObject(cameraOverridesShape).partial().shape,
});

/** What PATCH /v1/cameras/:id accepts: anything but the id. */
export const cameraPatchSchema = z
  .strictObject({
    url: cameraSchema.shape.url,
    enabled: z.boolean(),
    ...cameraOverridesShape,
  })
  .partial();

export type CameraDefaults = z.output<typeof cameraDefaultsSchema>;
export type CameraSpec = z.output<typeof cameraSchema>;
export type CameraSpecInput = z.input<typeof cameraSchema>;
export type CameraPatch = z.output<typeof cameraPatchSchema>;
export type DetectorSettings = CameraDefaults['detector'];
