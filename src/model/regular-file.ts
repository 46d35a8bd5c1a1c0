// Model inputs (checkpoints, weights, labels, manifests) are opened without blocking and must be regular
// files of a plausible size before a byte is read: a FIFO would block `open` forever, a device or a
// multi-GB file would be read whole before any format check could refuse it.
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { TsnError, type ErrorCode } from '../errors/index.js';

export interface RegularFileRules {
  /** What the file is, for messages ("checkpoint", "labels file"). */
  readonly what: string;
  readonly maxBytes: number;
  /** Code for a file that cannot be opened or is not a regular file. */
  readonly code: ErrorCode;
  /** Code for a file over maxBytes; default `code`. */
  readonly tooLargeCode?: ErrorCode;
  /** Added to the messages: what to do. */
  readonly hint?: string;
}

/** Opens a regular file of at most maxBytes; the caller closes the handle. */
export async function openRegularFile(
  path: string,
  rules: RegularFileRules,
): Promise<{ handle: FileHandle; size: number }> {
  const hint = rules.hint === undefined ? '' : `; ${rules.hint}`;
  // O_NONBLOCK: opening a FIFO without a writer returns at once instead of waiting for one.
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK).catch((cause: unknown) => {
    throw new TsnError(rules.code, `cannot open ${rules.what} ${path}: ${(cause as Error).message}${hint}`, {
      cause,
      context: { file: path },
    });
  });
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      throw new TsnError(
        rules.code,
        `${rules.what} ${path} is not a regular file (${kindOf(info)}); pass the file itself${hint}`,
        { context: { file: path, kind: kindOf(info) } },
      );
    }
    if (info.size > rules.maxBytes) {
      throw new TsnError(
        rules.tooLargeCode ?? rules.code,
        `${rules.what} ${path} has ${info.size} bytes, more than the ${rules.maxBytes} a ${rules.what} can have${hint}`,
        { context: { file: path, size: info.size, maxBytes: rules.maxBytes } },
      );
    }
    return { handle, size: info.size };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** The whole of a small regular file (labels, manifests) as text. */
export async function readRegularText(path: string, rules: RegularFileRules): Promise<string> {
  const { handle } = await openRegularFile(path, rules);
  try {
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/** The whole of a regular file as bytes. */
export async function readRegularBytes(path: string, rules: RegularFileRules): Promise<Buffer> {
  const { handle } = await openRegularFile(path, rules);
  try {
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

function kindOf(info: { isFIFO(): boolean; isDirectory(): boolean; isSocket(): boolean }): string {
  if (info.isFIFO()) return 'a FIFO';
  if (info.isDirectory()) return 'a directory';
  if (info.isSocket()) return 'a socket';
  return 'a device or special file';
}
