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
