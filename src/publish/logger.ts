/** The part of pino's API the publishers use, so the composition root can pass its pino child logger. */
export interface PublishLogger {
  debug(context: object, message: string): void;
  info(context: object, message: string): void;
  warn(context: object, message: string): void;
  error(context: object, message: string): void;
}

const ignore = (): void => undefined;

export const silentLogger: PublishLogger = { debug: ignore, info: ignore, warn: ignore, error: ignore };
