// Where errors that must not stop the service end up: the pipeline's errors$, a publisher that threw, and
// (from the composition root) rxjs's onUnhandledError. Each is logged and counted by code for /metrics.
import { isTsnError } from '../errors/index.js';

export interface ErrorLogger {
  warn(fields: Record<string, unknown>, message: string): void;
}

/** Code of an error that is not a TsnError: a bug that escaped every guard. */
export const UNHANDLED_CODE = 'E_SERVICE_UNHANDLED';

export class ErrorReporter {
  private readonly byCode = new Map<string, number>();

  constructor(private logger: ErrorLogger) {}

  /** The serve command swaps in its configured logger once the config is read. */
  useLogger(logger: ErrorLogger): void {
    this.logger = logger;
  }

  /** Logs and counts; never throws (it is the last stop for errors). */
  report(error: unknown, source: string): void {
    const code = isTsnError(error) ? error.code : UNHANDLED_CODE;
    this.byCode.set(code, (this.byCode.get(code) ?? 0) + 1);
    try {
      const message = error instanceof Error ? error.message : String(error);
      const cause = isTsnError(error) ? error.cause : error;
      this.logger.warn(
        { code, source, err: message, ...(cause instanceof Error ? { cause: cause.stack } : {}) },
        'stream error (the service goes on)',
      );
    } catch {
      // A logger that throws must not turn a reported error into a crash.
    }
  }

  counts(): readonly (readonly [code: string, count: number])[] {
    return [...this.byCode];
  }
}
