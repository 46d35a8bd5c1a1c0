import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { TsnError } from '../errors/index.js';
import { mapPaddleState, type MappedCheckpoint } from './paddle-state.js';
import { readPickle } from './pickle/index.js';

/** ResNet-101 TSN is ~170 MB; anything past this is not a TSN checkpoint (and would not fit a Buffer). */
export const MAX_CHECKPOINT_BYTES = 2 ** 31 - 1;
const CHUNK_BYTES = 4 << 20;

export type ProgressListener = (readBytes: number, totalBytes: number) => void;

export interface ReadCheckpoint extends MappedCheckpoint {
  readonly sha256: string;
  readonly sizeBytes: number;
  /** Arrays in the file, not counting the name table. */
  readonly tensorCount: number;
}

/** Reads a .pdparams file fully into memory in chunks (reporting progress), hashing it on the way. */
export async function readFileHashed(
  path: string,
  onProgress?: ProgressListener,
): Promise<{ bytes: Buffer; sha256: string }> {
  const file = await open(path, 'r').catch((cause: unknown) => {
    throw new TsnError('E_CKPT_READ', `cannot open checkpoint ${path}: ${(cause as Error).message}`, {
      cause,
      context: { file: path },
    });
  });
  try {
    const info = await file.stat();
    const size = info.size;
    if (!info.isFile()) {
      throw new TsnError('E_CKPT_READ', `checkpoint ${path} is not a regular file`, {
        context: { file: path },
      });
    }
    if (size > MAX_CHECKPOINT_BYTES) {
      throw new TsnError(
        'E_CKPT_TOO_LARGE',
        `checkpoint ${path} has ${size} bytes, more than a TSN checkpoint can`,
        {
          context: { file: path, size },
        },
      );
    }
    const bytes = Buffer.allocUnsafe(size);
    const hash = createHash('sha256');
    let read = 0;
    while (read < size) {
      const { bytesRead } = await file
        .read(bytes, read, Math.min(CHUNK_BYTES, size - read), read)
        .catch((cause: unknown) => {
          throw new TsnError('E_CKPT_READ', `reading checkpoint ${path} failed at byte ${read}`, {
            cause,
            context: { file: path, offset: read },
          });
        });
      if (bytesRead === 0) break;
      hash.update(bytes.subarray(read, read + bytesRead));
      read += bytesRead;
      onProgress?.(read, size);
    }
    return { bytes: bytes.subarray(0, read), sha256: hash.digest('hex') };
  } finally {
    await file.close();
  }
}

/** Parses and maps checkpoint bytes (a paddle.save state dict) to canonical weights. */
export function parseCheckpoint(bytes: Uint8Array): MappedCheckpoint & { tensorCount: number } {
  const mapped = mapPaddleState(readPickle(bytes));
  return { ...mapped, tensorCount: mapped.weights.size };
}

export async function readCheckpoint(path: string, onProgress?: ProgressListener): Promise<ReadCheckpoint> {
  const { bytes, sha256 } = await readFileHashed(path, onProgress);
  const parsed = withFile(path, () => parseCheckpoint(bytes));
  return { ...parsed, sha256, sizeBytes: bytes.length };
}

/** Adds the file name to the context of errors raised while parsing. */
function withFile<T>(path: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof TsnError) {
      throw new TsnError(error.code, `${path}: ${error.message}`, {
        cause: error.cause,
        context: { file: path, ...error.context },
      });
    }
    throw error;
  }
}
