import { isTsnError } from '../errors/index.js';

/** Prints an error the way every command does: code first, then what to do; exit code 2 for known errors. */
export function reportError(
  error: unknown,
  write: (line: string) => void = (l) => process.stderr.write(l),
): number {
  if (isTsnError(error)) {
    write(`tsn: error ${error.code}: ${error.message}\n`);
    return 2;
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  write(`tsn: unexpected error: ${message}\n`);
  return 1;
}
