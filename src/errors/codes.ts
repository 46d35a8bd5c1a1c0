// The error catalog: one list per area, each in its own file, so codes stay stable and greppable.
import { modelErrorCodes } from './model-codes.js';
import { inferenceErrorCodes } from './inference-codes.js';
import { videoErrorCodes } from './video-codes.js';
import { sourceErrorCodes } from './source-codes.js';
import { simulatorErrorCodes } from './simulator-codes.js';
import { pipelineErrorCodes } from './pipeline-codes.js';
import { serviceErrorCodes } from './service-codes.js';
import { webrtcErrorCodes } from './webrtc-codes.js';
import { trainingErrorCodes } from './training-codes.js';

export const errorCodes = [
  ...modelErrorCodes,
  ...inferenceErrorCodes,
  ...videoErrorCodes,
  ...sourceErrorCodes,
  ...simulatorErrorCodes,
  ...pipelineErrorCodes,
  ...serviceErrorCodes,
  ...webrtcErrorCodes,
  ...trainingErrorCodes,
] as const;

export type ErrorCode = (typeof errorCodes)[number];
