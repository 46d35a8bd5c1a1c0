export type { Frame, SegmentFrame, SegmentFeature } from './frame.js';
export type { LabelScore, Prediction } from './prediction.js';
export {
  EVENT_SCHEMA_VERSION,
  type ActionEvent,
  type ActionEventType,
  type EpisodeEndReason,
} from './event.js';
export type { CameraStatus, CameraFault, CameraFaultKind } from './camera-status.js';
