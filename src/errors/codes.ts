// The error catalog: one table per area, each in its own file, so codes stay stable and greppable, and each
// code carries its HTTP status (see catalog.ts).
import type { ErrorSpec } from './catalog.js';
import { modelErrors } from './model-codes.js';
import { inferenceErrors } from './inference-codes.js';
import { videoErrors } from './video-codes.js';
import { sourceErrors } from './source-codes.js';
import { simulatorErrors } from './simulator-codes.js';
import { pipelineErrors } from './pipeline-codes.js';
import { serviceErrors } from './service-codes.js';
import { webrtcErrors } from './webrtc-codes.js';
import { clusterErrors } from './cluster-codes.js';
import { trainingErrors } from './training-codes.js';
import { liveErrors } from './live-codes.js';

export const errorCatalog = {
  ...modelErrors,
  ...inferenceErrors,
  ...videoErrors,
  ...sourceErrors,
  ...simulatorErrors,
  ...pipelineErrors,
  ...serviceErrors,
  ...webrtcErrors,
  ...clusterErrors,
  ...trainingErrors,
  ...liveErrors,
} as const;

export type ErrorCode = keyof typeof errorCatalog;

export const errorCodes = Object.keys(errorCatalog) as readonly ErrorCode[];

const DEFAULT_STATUS = 500;

/** The HTTP status of a code (500 unless its catalog entry says otherwise). */
export function httpStatusOf(code: ErrorCode): number {
  return (errorCatalog[code] as ErrorSpec).status ?? DEFAULT_STATUS;
}

/** Whether the API may show a code's message and context to the client (its entry sets a status). */
export function isPublicCode(code: ErrorCode): boolean {
  return (errorCatalog[code] as ErrorSpec).status !== undefined;
}
