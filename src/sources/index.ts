export type { CameraSource } from './types.js';
export {
  createCameraSource,
  spawnFfmpeg,
  type CameraSourceDeps,
  type SourceLogger,
  type SourceProcess,
  type SourceStats,
  type SpawnProcess,
  type SupervisedCameraSource,
} from './camera-source.js';
export { SourceShell, type FrameGate, type SourceMachine, type SourceShellOptions } from './source-shell.js';
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
