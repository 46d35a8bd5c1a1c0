export { startRtspSimulator } from './server.js';
export { generateClip, type GenerateClipOptions } from './media/clips.js';
export { clipArgs, clipPatterns, encoderArgs, type ClipPattern } from './media/ffmpeg-args.js';
export type {
  CameraAuth,
  CameraSpec,
  Credentials,
  FaultSpec,
  ResolutionChange,
  RtspSimulator,
  RtspSimulatorOptions,
} from './types.js';
export {
  actionSchedule,
  actionsBetween,
  defaultScheduleTiming,
  type ActionSchedule,
  type ScheduledAction,
  type WallAction,
} from './actions/schedule.js';
export { ensureActionClip, planActionClip, type ActionClip } from './actions/action-clip.js';
export type { CameraSchedule } from './actions/schedule-clock.js';
