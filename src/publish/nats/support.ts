// Small pieces the NATS publisher is built from: credentials loading, stream setup, cancellable delays.
import { readFileSync } from 'node:fs';
import type { NatsConnection, StreamConfig } from 'nats';
import { TsnError } from '../../errors/index.js';

export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export function readCreds(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (cause) {
    throw new TsnError(
      'E_CONFIG',
      `cannot read NATS credentials file ${path}: check the path and permissions`,
      {
        cause,
        context: { credsFile: path },
      },
    );
  }
}

/** Resolves with the promise's value, or undefined once `ms` passed; never leaves its timer behind. */
export async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

const STREAM_NOT_FOUND = 10059;

function isStreamNotFound(error: unknown): boolean {
  const code = (error as { api_error?: { err_code?: number } }).api_error?.err_code;
  return code === STREAM_NOT_FOUND || /stream not found/i.test(errorText(error));
}

/** Creates the stream, or updates it to `config` when it exists (limits and subjects may change at start). */
export async function createOrUpdateStream(
  conn: NatsConnection,
  config: Partial<StreamConfig> & { name: string },
  timeoutMs: number,
): Promise<'created' | 'updated'> {
  const jsm = await conn.jetstreamManager({ timeout: timeoutMs });
  const exists = await jsm.streams.info(config.name).then(
    () => true,
    (error: unknown) => {
      if (isStreamNotFound(error)) return false;
      throw error;
    },
  );
  if (exists) await jsm.streams.update(config.name, config);
  else await jsm.streams.add(config);
  return exists ? 'updated' : 'created';
}

/**
 * Delays that can all be cut short: a reconnect should retry at once, and close() must leave no timer behind
 * (after close, every new delay resolves immediately).
 */
export class CancellableDelays {
  private readonly wakers = new Set<() => void>();
  private closed = false;

  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.closed) return resolve();
      const wake = (): void => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }

  wakeAll(): void {
    for (const wake of [...this.wakers]) wake();
  }

  close(): void {
    this.closed = true;
    this.wakeAll();
  }
}
