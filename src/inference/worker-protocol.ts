import { type ErrorCode, TsnError, errorCodes, isTsnError } from '../errors/index.js';
import type { Model } from '../model/types.js';
import type { BackendName, BackendOptions } from './backend.js';

/** What the worker gets at start: the whole model (structured-cloned once) and the options. */
export interface WorkerInit {
  readonly model: Model;
  readonly options: BackendOptions;
}

export type WorkerRequest =
  | { readonly id: number; readonly op: 'features'; readonly data: Float32Array; readonly count: number }
  | { readonly id: number; readonly op: 'close' };

export interface SerializedError {
  readonly code?: string;
  readonly message: string;
  /** The first line of the cause's message: causes themselves do not cross threads. */
  readonly cause?: string;
  readonly context?: Readonly<Record<string, unknown>>;
}

export interface BackendInfo {
  readonly name: BackendName;
  readonly description: string;
  readonly featureDim: number;
  readonly numClasses: number;
  readonly inputSize: number;
}

function firstLine(value: unknown): string {
  return (value instanceof Error ? value.message : String(value)).split('\n')[0] ?? '';
}

export function serializeError(error: unknown): SerializedError {
  if (!isTsnError(error)) return { message: firstLine(error) };
  const cause = error.cause === undefined ? {} : { cause: firstLine(error.cause) };
  return { code: error.code, message: error.message, context: error.context, ...cause };
}

/** Rebuilds a TsnError on the calling thread; errors without a project code become `fallback`. */
export function deserializeError(error: SerializedError, fallback: ErrorCode): TsnError {
  const known = (errorCodes as readonly string[]).includes(error.code ?? '');
  const code = known ? (error.code as ErrorCode) : fallback;
  const base = known ? error.message : `Inference worker: ${error.message}`;
  const message = error.cause === undefined ? base : `${base} Cause: ${error.cause}`;
  return new TsnError(code, message, error.context === undefined ? {} : { context: error.context });
}
