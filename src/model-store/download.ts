// Resumable download of one file: bytes go to <dest>.part; a cut connection resumes with an HTTP Range
// request; 5xx / 429 / network errors retry with exponential backoff; a stalled body is aborted.
// The finished file is renamed into place, so <dest> either is complete or does not exist.
import { open, rename, rm, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { TsnError } from '../errors/index.js';

export interface DownloadProgress {
  start(totalBytes: number | undefined, resumedFromBytes: number): void;
  update(receivedBytes: number): void;
  stop(): void;
}

export interface DownloadOptions {
  readonly url: string;
  readonly dest: string;
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Abort an attempt when no byte arrives for this long. */
  readonly idleTimeoutMs?: number;
  readonly progress?: DownloadProgress;
  readonly onRetry?: (info: { attempt: number; delayMs: number; reason: string; haveBytes: number }) => void;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Stops the download (shutdown); the .part file stays for the next start to resume. */
  readonly signal?: AbortSignal;
}

/** Why a download failed: `network` (no answer at all), `http` (an answer we cannot use). */
export class DownloadFailure extends Error {
  constructor(
    message: string,
    readonly kind: 'network' | 'http',
    readonly retryable: boolean,
    readonly receivedAnyBytes: boolean,
  ) {
    super(message);
  }
}

// Errors that usually mean "no route to the internet" rather than a hiccup.
const offlineCodes = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ENETUNREACH', 'EHOSTUNREACH']);

export async function downloadFile(options: DownloadOptions): Promise<{ bytes: number; attempts: number }> {
  const maxAttempts = options.maxAttempts ?? 6;
  const sleep = options.sleep ?? ((ms: number) => delay(ms, undefined, { signal: options.signal }));
  const part = `${options.dest}.part`;
  let receivedAny = false;
  for (let attempt = 1; ; attempt++) {
    try {
      const bytes = await attemptDownload(options, part, () => (receivedAny = true));
      await rename(part, options.dest);
      return { bytes, attempts: attempt };
    } catch (error) {
      options.signal?.throwIfAborted();
      const failure = asFailure(error, receivedAny);
      // Offline before the first byte: one retry, not a minute of them.
      const offline = failure.kind === 'network' && !receivedAny && offlineCodes.has(codeOf(error) ?? '');
      const limit = offline ? Math.min(2, maxAttempts) : maxAttempts;
      if (!failure.retryable || attempt >= limit) throw failure;
      const delayMs = Math.min(
        options.maxDelayMs ?? 30_000,
        (options.baseDelayMs ?? 1000) * 2 ** (attempt - 1),
      );
      options.onRetry?.({ attempt, delayMs, reason: failure.message, haveBytes: await sizeOf(part) });
      await sleep(delayMs);
    }
  }
}

async function attemptDownload(options: DownloadOptions, part: string, onBytes: () => void): Promise<number> {
  let have = await sizeOf(part);
  const abort = new AbortController();
  const idleMs = options.idleTimeoutMs ?? 30_000;
  let idle = setTimeout(() => abort.abort(new Error(`no data for ${idleMs} ms`)), idleMs);
  const touch = () => {
    clearTimeout(idle);
    idle = setTimeout(() => abort.abort(new Error(`no data for ${idleMs} ms`)), idleMs);
  };
  try {
    const response = await fetch(options.url, {
      headers: have > 0 ? { range: `bytes=${have}-` } : {},
      signal: options.signal === undefined ? abort.signal : AbortSignal.any([abort.signal, options.signal]),
      redirect: 'follow',
    });
    if (response.status === 416 && have > 0) {
      await rm(part, { force: true });
      throw new DownloadFailure('server refused the resume range; starting over', 'http', true, false);
    }
    if (response.status !== 200 && response.status !== 206) throw httpFailure(response.status);
    if (response.status === 200) have = 0; // the server ignored the range: start from the beginning
    const length = Number(response.headers.get('content-length') ?? NaN);
    const total = Number.isFinite(length) ? have + length : undefined;
    options.progress?.start(total, have);
    const file = await open(part, have > 0 ? 'a' : 'w');
    let received = have;
    try {
      if (response.body !== null) {
        for await (const chunk of Readable.fromWeb(response.body as WebReadableStream<Uint8Array>)) {
          await file.write(chunk as Uint8Array);
          received += (chunk as Uint8Array).byteLength;
          onBytes();
          touch();
          options.progress?.update(received);
        }
      }
    } finally {
      await file.close();
      options.progress?.stop();
    }
    if (total !== undefined && received < total) {
      throw new DownloadFailure(
        `connection closed after ${received} of ${total} bytes`,
        'network',
        true,
        true,
      );
    }
    return received;
  } finally {
    clearTimeout(idle);
  }
}

function httpFailure(status: number): DownloadFailure {
  const retryable = status >= 500 || status === 429 || status === 408;
  return new DownloadFailure(`HTTP ${status}`, 'http', retryable, false);
}

function asFailure(error: unknown, receivedAny: boolean): DownloadFailure {
  if (error instanceof DownloadFailure) return error;
  if (error instanceof TsnError) throw error;
  const code = codeOf(error);
  const message = code !== undefined ? `${code} (${(error as Error).message})` : (error as Error).message;
  return new DownloadFailure(message, 'network', true, receivedAny);
}

/** fetch wraps socket errors: the code sits on error.cause (or its cause). */
function codeOf(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}
