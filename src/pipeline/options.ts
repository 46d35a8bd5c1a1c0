// Option types of the streaming pipeline and their validation. Names follow src/config (the config schema
// maps onto these one to one); validation here guards callers that do not go through the config.
import { TsnError } from '../errors/index.js';

/** How a segment that received no frame is handled when the gap around it is within maxGapMs. */
export type MissingSegmentPolicy = 'nearest' | 'skip';

/**
 * Which frame represents a segment. 'paddle': the latest frame at or before the segment's centre (else the
 * first after it), which is exactly PaddleVideo's test sampler index trunc(d/2 + d*x) on a recorded file.
 * 'nearest': the frame closest to the centre, ties to the earlier one.
 */
export type PickRule = 'paddle' | 'nearest';

export interface SegmenterOptions {
  readonly numSeg: number;
  readonly windowMs: number;
  /** A window every this many segments. */
  readonly strideSegments: number;
  /** A pause between two frames longer than this restarts the window ring. */
  readonly maxGapMs: number;
  readonly missingSegment: MissingSegmentPolicy;
  readonly pick: PickRule;
  /** Stream time where segment 0 starts. */
  readonly gridOriginMs: number;
  /**
   * Constant-rate sources: frames come exactly this far apart (a reconnect only ever jumps further), so a
   * pick is final as soon as the next frame could not be preferred. 0 = unknown: final when a later frame
   * shows it.
   */
  readonly framePeriodMs: number;
}

export interface ThresholdSettings {
  readonly onThreshold: number;
  readonly offThreshold: number;
  readonly minWindowsOn: number;
  readonly minWindowsOff: number;
  readonly cooldownMs: number;
}

export interface DetectorSettings extends ThresholdSettings {
  /** Moving average over the last K window score vectors (MMAction2's average-size). */
  readonly smoothing: number;
  readonly topK: number;
  readonly labels: { readonly allow: readonly string[]; readonly deny: readonly string[] };
  /** A key absent or undefined keeps the camera's own threshold. */
  readonly perLabel: Readonly<Record<string, Overrides<ThresholdSettings>>>;
  /**
   * Two consecutive windows whose ends are further apart than this (stream clock) end open episodes with
   * reason 'gap'. 0 = derive: 2 strides + 1 segment.
   */
  readonly maxWindowGapMs: number;
}

export interface BatchingOptions {
  readonly maxBatch: number;
  readonly maxWaitMs: number;
  readonly maxQueue: number;
  readonly maxInFlight: number;
}

export interface CameraPipelineOptions {
  readonly numSeg: number;
  readonly windowMs: number;
  readonly strideSegments: number;
  /** 1 = CenterCrop, 10 = TenCrop (10 backbone passes per segment frame). */
  readonly views: 1 | 10;
  /** 0 = derive: 3 segments. */
  readonly maxGapMs: number;
  readonly missingSegment: MissingSegmentPolicy;
  readonly pick: PickRule;
  readonly gridOriginMs: number;
  /** See SegmenterOptions.framePeriodMs; 0 = unknown. */
  readonly framePeriodMs: number;
  readonly detector: DetectorSettings;
  /** Per-window predictions on predictions$ for this camera. */
  readonly emitPredictions: boolean;
}

export const defaultDetectorSettings: DetectorSettings = Object.freeze({
  smoothing: 3,
  onThreshold: 0.5,
  offThreshold: 0.3,
  minWindowsOn: 2,
  minWindowsOff: 2,
  cooldownMs: 5000,
  topK: 5,
  labels: { allow: [], deny: [] },
  perLabel: {},
  maxWindowGapMs: 0,
});

export const defaultCameraOptions: CameraPipelineOptions = Object.freeze({
  numSeg: 8,
  windowMs: 4000,
  strideSegments: 1,
  views: 1,
  maxGapMs: 0,
  missingSegment: 'nearest',
  pick: 'paddle',
  gridOriginMs: 0,
  framePeriodMs: 0,
  detector: defaultDetectorSettings,
  emitPredictions: true,
});

export const defaultBatching: BatchingOptions = Object.freeze({
  maxBatch: 8,
  maxWaitMs: 50,
  maxQueue: 64,
  maxInFlight: 1,
});

/** Absent and undefined both mean "keep the base value" (stripUndefined drops them before merging). */
type Overrides<T> = { readonly [K in keyof T]?: T[K] | undefined };
/** What stripUndefined leaves: each key absent or set. */
type Defined<T> = { [K in keyof T]?: Exclude<T[K], undefined> };

export type CameraOptionsInput = Overrides<Omit<CameraPipelineOptions, 'detector'>> & {
  readonly detector?: Overrides<DetectorSettings>;
};

export function resolveCameraOptions(
  base: CameraPipelineOptions,
  overrides: CameraOptionsInput = {},
): CameraPipelineOptions {
  const merged: CameraPipelineOptions = {
    ...base,
    ...stripUndefined(overrides),
    detector: { ...base.detector, ...stripUndefined(overrides.detector ?? {}) },
  };
  validateCameraOptions(merged);
  return merged;
}

export function segmentMsOf(options: { readonly windowMs: number; readonly numSeg: number }): number {
  return options.windowMs / options.numSeg;
}

export function segmenterOptionsOf(camera: CameraPipelineOptions): SegmenterOptions {
  const segmentMs = segmentMsOf(camera);
  return {
    numSeg: camera.numSeg,
    windowMs: camera.windowMs,
    strideSegments: camera.strideSegments,
    maxGapMs: camera.maxGapMs > 0 ? camera.maxGapMs : 3 * segmentMs,
    missingSegment: camera.missingSegment,
    pick: camera.pick,
    gridOriginMs: camera.gridOriginMs,
    framePeriodMs: camera.framePeriodMs,
  };
}

export function validateCameraOptions(o: CameraPipelineOptions): void {
  requireInt('numSeg', o.numSeg, 1);
  requirePositive('windowMs', o.windowMs);
  requireInt('strideSegments', o.strideSegments, 1);
  if (o.views !== 1 && o.views !== 10) fail('views', o.views, 'use 1 (CenterCrop) or 10 (TenCrop)');
  if (!(o.maxGapMs >= 0)) fail('maxGapMs', o.maxGapMs, 'use 0 (derived) or a positive number of ms');
  if (!(o.framePeriodMs >= 0))
    fail('framePeriodMs', o.framePeriodMs, 'use 0 (unknown) or the frame interval in ms');
  validateDetectorSettings(o.detector);
}

export function validateDetectorSettings(d: DetectorSettings): void {
  requireInt('detector.smoothing', d.smoothing, 1);
  requireInt('detector.topK', d.topK, 1);
  validateThresholds('detector', d);
  for (const [label, partial] of Object.entries(d.perLabel)) {
    validateThresholds(`detector.perLabel.${label}`, { ...d, ...stripUndefined(partial) });
  }
  if (!(d.maxWindowGapMs >= 0)) fail('detector.maxWindowGapMs', d.maxWindowGapMs, 'use 0 (derived) or ms');
}

export function validateBatching(b: BatchingOptions): void {
  requireInt('batching.maxBatch', b.maxBatch, 1);
  requireInt('batching.maxQueue', b.maxQueue, 1);
  requireInt('batching.maxInFlight', b.maxInFlight, 1);
  if (!(b.maxWaitMs >= 0)) fail('batching.maxWaitMs', b.maxWaitMs, 'use a number of ms >= 0');
}

function validateThresholds(path: string, t: ThresholdSettings): void {
  for (const key of ['onThreshold', 'offThreshold'] as const) {
    if (!(t[key] >= 0 && t[key] <= 1)) fail(`${path}.${key}`, t[key], 'use a probability in [0, 1]');
  }
  if (t.offThreshold > t.onThreshold) {
    fail(`${path}.offThreshold`, t.offThreshold, `must not exceed onThreshold (${t.onThreshold})`);
  }
  requireInt(`${path}.minWindowsOn`, t.minWindowsOn, 1);
  requireInt(`${path}.minWindowsOff`, t.minWindowsOff, 1);
  if (!(t.cooldownMs >= 0)) fail(`${path}.cooldownMs`, t.cooldownMs, 'use a number of ms >= 0');
}

function requireInt(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) fail(name, value, `use an integer >= ${min}`);
}

function requirePositive(name: string, value: number): void {
  if (!(value > 0) || !Number.isFinite(value)) fail(name, value, 'use a positive number');
}

function fail(name: string, value: unknown, hint: string): never {
  throw new TsnError('E_PIPELINE_CONFIG', `pipeline option ${name} = ${String(value)} is invalid: ${hint}`, {
    context: { option: name, value },
  });
}

function stripUndefined<T extends object>(value: T): Defined<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Defined<T>;
}
