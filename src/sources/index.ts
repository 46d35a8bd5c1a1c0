export type { CameraSource } from './types.js';
export {
  createCameraSource,
  type CameraSourceDeps,
  type SourceLogger,
  type SourceStats,
  type SupervisedCameraSource,
} from './camera-source.js';
export {
  defaultBackoff,
  defaultOutput,
  resolveSourceOptions,
  resolveSourceSettings,
  type BackoffStep,
  type HwAccel,
  type OutputGeometry,
  type RtspTransport,
  type SourceKind,
  type SourceOptions,
} from './options.js';
export { buildIngestArgs, maxSocketTimeoutMs, type IngestArgsOptions } from './ingest-args.js';
export {
  resolveIngestTarget,
  resolveSourceUrl,
  sourceSchemes,
  supportedSchemes,
  type FfmpegTarget,
  type SourcePolicy,
  type SourceTarget,
} from './registry.js';
export { centerCropOffsets, scaledSize } from './geometry.js';
export { ffmpeg51, parseFfmpegCapabilities, type FfmpegCapabilities } from './ffmpeg-capabilities.js';
export { probeFfmpegCapabilities } from './probe.js';
export { redactText, redactUrl } from './redact.js';
export { classifyExit } from './stderr-classifier.js';
export { Supervisor, type ExitReport, type SupervisorAction, type SupervisorConfig } from './supervisor.js';
export { backoffDelayMs } from './backoff.js';
