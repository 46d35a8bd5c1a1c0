// What a running service holds, and how it lets go of it: in order, within one time budget, whether NATS
// is up or down (SIGTERM must end the process in seconds).
import type { Logger } from 'pino';
import type { Subscription } from 'rxjs';
import type { PipelineInference } from '../inference/pipeline-inference.js';
import type { LiveHub } from '../live/index.js';
import type { RecognitionPipeline } from '../pipeline/recognition-pipeline.js';
import type { CameraRegistry } from '../service/camera-manager.js';
import type { CameraRuntimeFactory } from '../service/camera-runtime.js';
import type { Publishers } from '../service/publishers.js';
import type { ClusterRuntime } from '../service/roles/cluster-role.js';

export interface Parts {
  inference?: PipelineInference;
  pipeline?: RecognitionPipeline;
  registry?: Pick<CameraRegistry, 'get' | 'stopIntake' | 'close'>;
  /** Roles edge and infer (docs/scale-out.md). */
  cluster?: ClusterRuntime;
  runtimes?: CameraRuntimeFactory;
  live?: LiveHub | undefined;
  subscriptions: Subscription[];
}

/**
 * SIGTERM to exit: the steps below share it. While NATS is connected but JetStream does not ack (a
 * stream electing a leader), the publisher's own close() waits up to its closeFlushTimeoutMs more.
 */
const SHUTDOWN_BUDGET_MS = 5000;
/** Of that, what queued frames get to become windows. */
const PIPELINE_DRAIN_TIMEOUT_MS = 3000;

/** Resolves when `promise` does or after `ms`, whichever comes first; leaves no timer behind. */
async function withTimeout(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  try {
    await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

export async function shutdown(
  parts: Parts,
  publishers: Publishers | undefined,
  log: Logger,
  now: () => number,
): Promise<void> {
  const deadlineMs = now() + SHUTDOWN_BUDGET_MS;
  const remainingMs = (): number => Math.max(0, deadlineMs - now());
  // 1. No new frames: live viewers, every source (ffmpeg) and embedded simulator stop.
  await withTimeout(parts.live?.close() ?? Promise.resolve(), remainingMs());
  await parts.registry?.stopIntake();
  // 2. Frames already queued or being inferred still become windows (bounded wait).
  if (parts.pipeline !== undefined) {
    await withTimeout(parts.pipeline.drained(), Math.min(PIPELINE_DRAIN_TIMEOUT_MS, remainingMs()));
  }
  // 3. Open episodes end with reason 'shutdown'; their action.ended events go out.
  parts.pipeline?.close();
  await parts.registry?.close();
  for (const s of parts.subscriptions) s.unsubscribe();
  // 4. NATS gets what was published (bounded), then publishers, and the backend, close.
  await publishers
    ?.close(remainingMs())
    .catch((error: unknown) => log.warn({ err: error }, 'publisher close failed'));
  await parts.inference?.close();
  await parts.cluster?.close().catch((error: unknown) => log.warn({ err: error }, 'cluster close failed'));
}
