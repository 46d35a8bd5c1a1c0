import { createHash } from 'node:crypto';
import { TsnError } from '../errors/index.js';
import { mapPaddleState, type MappedCheckpoint } from './paddle-state.js';
import { assertPickleStart, readPickle } from './pickle/index.js';
import { openRegularFile } from './regular-file.js';

/** ResNet-101 TSN is ~170 MB; a file past 1 GiB is not a TSN checkpoint and is refused before reading. */
export const MAX_CHECKPOINT_BYTES = 1 << 30;
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
  const { handle: file, size } = await openRegularFile(path, {
    what: 'checkpoint',
    maxBytes: MAX_CHECKPOINT_BYTES,
    code: 'E_CKPT_READ',
    tooLargeCode: 'E_CKPT_TOO_LARGE',
  });
  try {
    // The format is checked on the first bytes, before the whole file is read.
    const head = Buffer.alloc(Math.min(size, 2));
    await file.read(head, 0, head.length, 0);
    withFile(path, () => assertPickleStart(head));
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
