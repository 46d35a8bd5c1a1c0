import type { ExecutionProvider } from '../backend.js';

export interface ProviderResolution {
  /** What to pass to onnxruntime, in priority order; always ends with "cpu". */
  readonly providers: readonly ExecutionProvider[];
  /** Requested providers this host cannot run, in request order. */
  readonly unavailable: readonly ExecutionProvider[];
}

/**
 * Keeps the requested providers the host supports, in request order, without duplicates, and puts cpu
 * last: nodes an accelerator cannot take fall back to cpu, and cpu listed earlier would claim every node.
 */
export function resolveExecutionProviders(
  requested: readonly ExecutionProvider[],
  available: readonly string[],
): ProviderResolution {
  const providers: ExecutionProvider[] = [];
  const unavailable: ExecutionProvider[] = [];
  for (const p of requested) {
    if (p === 'cpu' || providers.includes(p) || unavailable.includes(p)) continue;
    if (available.includes(p)) providers.push(p);
    else unavailable.push(p);
  }
  return { providers: [...providers, 'cpu'], unavailable };
}
