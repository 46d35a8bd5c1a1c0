import type { ErrorCode } from './codes.js';

export interface TsnErrorOptions {
  readonly cause?: unknown;
  readonly context?: Readonly<Record<string, unknown>>;
}

/**
 * Every error the project raises on purpose. `code` is stable (tests and API clients match on it);
 * `message` says what went wrong and what to do about it; `context` names the input that caused it.
 */
export class TsnError extends Error {
  readonly code: ErrorCode;
  readonly context: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options: TsnErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TsnError';
    this.code = code;
    this.context = Object.freeze({ ...(options.context ?? {}) });
  }

  toJSON(): { code: ErrorCode; message: string; context: Readonly<Record<string, unknown>> } {
    return { code: this.code, message: this.message, context: this.context };
  }
}

export function isTsnError(value: unknown, code?: ErrorCode): value is TsnError {
  return value instanceof TsnError && (code === undefined || value.code === code);
}
