// The error catalog: one list per area, each in its own file, so codes stay stable and greppable.
import { modelErrorCodes } from './model-codes.js';
import { inferenceErrorCodes } from './inference-codes.js';
import { sourceErrorCodes } from './source-codes.js';
import { serviceErrorCodes } from './service-codes.js';

export const errorCodes = [
  ...modelErrorCodes,
  ...inferenceErrorCodes,
  ...sourceErrorCodes,
  ...serviceErrorCodes,
] as const;

export type ErrorCode =
  | (typeof modelErrorCodes)[number]
  | (typeof inferenceErrorCodes)[number]
  | (typeof sourceErrorCodes)[number]
  | (typeof serviceErrorCodes)[number];
