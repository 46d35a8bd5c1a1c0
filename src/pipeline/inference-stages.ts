// The two ways windows become logits. Segment mode: every segment frame goes through the backbone once
// (shared, batched across cameras), windows are fc(mean(features)). Clip mode: whole windows go to a model
// that cannot be split. Both hand (windows, logits) to `deliver`.
import type { SchedulerLike } from 'rxjs';
import { TsnError } from '../errors/index.js';
import { BatchDriver } from './batch-driver.js';
import { FairBatcher } from './fair-batcher.js';
import type { ClipFn, EmbedFn, HeadFn, InferencePort } from './inference-port.js';
import type { CameraCounters, SampleBuffer } from './metrics.js';
import type { BatchingOptions } from './options.js';
import type { SegmentJob, WindowSpec } from './segmenter.js';
import { WindowAssembler, type LostSegmentPolicy, type ReadyWindow } from './window-assembler.js';
import { HeadQueue } from './head-queue.js';
import { packHeadCalls } from './window-head.js';

// Where these lived before inference-port.ts; src/cluster still imports them from here.
export type { ClipFn, EmbedFn, HeadFn } from './inference-port.js';

export interface StageCounters {
  batches: number;
  batchItems: number;
  inferenceErrors: number;
  headCalls: number;
  headErrors: number;
  /** Windows whose head call was dropped because the head queue was full. */
  headDropped: number;
}

export interface StageContext {
  readonly batching: BatchingOptions;
  readonly scheduler: SchedulerLike;
  readonly counters: StageCounters;
  readonly samples: SampleBuffer;
  readonly cameraCounters: (cameraId: string) => CameraCounters | undefined;
  readonly viewsOf: (cameraId: string) => number;
  readonly lostSegments: LostSegmentPolicy;
  readonly deliver: (windows: readonly WindowSpec[], logits: Float32Array) => void;
  readonly reportError: (error: TsnError) => void;
}

export interface InferenceStage {
  addCamera(cameraId: string, numSeg: number, views: number): void;
  removeCamera(cameraId: string): void;
  acceptSegments(jobs: readonly SegmentJob[]): void;
  acceptWindows(windows: readonly WindowSpec[]): void;
  gauges(): {
    queueDepth: number;
    inFlight: number;
    pendingWindows: number;
    heldFeatures: number;
    abandoned: number;
    degraded: number;
  };
  /** Resolves once no segment or window is queued or being inferred (at once when idle or closed). */
  drained(): Promise<void>;
  close(): void;
}

/** The stage the port's mode calls for. */
export function createInferenceStage(inference: InferencePort, ctx: StageContext): InferenceStage {
  return inference.mode === 'clip'
    ? createClipStage(inference.clip, ctx)
    : createSegmentStage(inference.embed, inference.head, ctx);
}

export function createSegmentStage(embed: EmbedFn, head: HeadFn, ctx: StageContext): InferenceStage {
  const assembler = new WindowAssembler(ctx.lostSegments);
  const heads = createHeadQueue(head, ctx);
  const submit = (ready: readonly ReadyWindow[]): void => {
    for (const call of packHeadCalls(ready)) heads.push(call);
  };
  const lose = (jobs: readonly SegmentJob[]): void => submit(assembler.dropSegments(jobs));
  const driver = new BatchDriver<SegmentJob, Float32Array>(
    new FairBatcher<SegmentJob>(ctx.batching, (job) => ctx.viewsOf(job.cameraId)),
    ctx.scheduler,
    {
      run: (batch) => embed(batch, ctx.viewsOf(batch[0]?.cameraId ?? '')),
      onResult: (batch, features, startedAtMs) => {
        ctx.counters.batches++;
        ctx.counters.batchItems += batch.length;
        ctx.samples.observeBatchSize(batch.length);
        ctx.samples.observeInferenceMs(ctx.scheduler.now() - startedAtMs);
        try {
          submit(assembler.addFeatures(batch, features, ctx.viewsOf(batch[0]?.cameraId ?? '')));
        } catch (error) {
          lose(batch);
          ctx.reportError(asTsnError(error, 'E_PIPELINE_EMBED'));
        }
      },
      onError: (batch, error) => {
        ctx.counters.inferenceErrors++;
        for (const job of batch) {
          const counters = ctx.cameraCounters(job.cameraId);
          if (counters !== undefined) counters.inferenceFailures++;
        }
        lose(batch);
        ctx.reportError(asTsnError(error, 'E_PIPELINE_EMBED'));
      },
      onDrop: (items) => {
        for (const job of items) {
          const counters = ctx.cameraCounters(job.cameraId);
          if (counters !== undefined) counters.queueDrops++;
        }
        lose(items);
      },
    },
  );
  return {
    addCamera: (cameraId, numSeg, views) => assembler.addCamera(cameraId, numSeg, views),
    removeCamera: (cameraId) => {
      driver.purge(cameraId);
      assembler.removeCamera(cameraId);
    },
    // Windows first: the assembler must know a window before any of its features can arrive.
    acceptWindows: (windows) => windows.forEach((w) => assembler.addWindow(w)),
    acceptSegments: (jobs) => jobs.forEach((job) => driver.enqueue(job)),
    gauges: () => ({
      queueDepth: driver.queueDepth,
      inFlight: driver.inFlight,
      pendingWindows: assembler.pendingWindows,
      heldFeatures: assembler.heldFeatures,
      abandoned: assembler.abandoned,
      degraded: assembler.degraded,
    }),
    // A backbone result feeds the head queue, so the backbone drains first.
    drained: () => driver.idle.wait().then(() => heads.idle.wait()),
    close: () => {
      driver.close();
      heads.close();
    },
  };
}

export function createClipStage(clip: ClipFn, ctx: StageContext): InferenceStage {
  let abandoned = 0;
  const batcher = new FairBatcher<WindowSpec>(
    ctx.batching,
    (w) => `${w.segments.length}x${ctx.viewsOf(w.cameraId)}`,
  );
  const driver = new BatchDriver<WindowSpec, Float32Array>(batcher, ctx.scheduler, {
    run: (batch) => {
      const first = batch[0];
      const numSeg = first?.segments.length ?? 0;
      return clip(
        batch.flatMap((w) => w.segments),
        batch.length,
        numSeg,
        ctx.viewsOf(first?.cameraId ?? ''),
      );
    },
    onResult: (batch, logits, startedAtMs) => {
      ctx.counters.batches++;
      ctx.counters.batchItems += batch.length;
      ctx.samples.observeBatchSize(batch.length);
      ctx.samples.observeInferenceMs(ctx.scheduler.now() - startedAtMs);
      ctx.deliver(batch, logits);
    },
    onError: (batch, error) => {
      ctx.counters.inferenceErrors++;
      abandoned += batch.length;
      ctx.reportError(asTsnError(error, 'E_PIPELINE_EMBED'));
    },
    onDrop: (items) => {
      abandoned += items.length;
      for (const w of items) {
        const counters = ctx.cameraCounters(w.cameraId);
        if (counters !== undefined) counters.queueDrops += w.segments.length;
      }
    },
  });
  return {
    addCamera: () => undefined,
    removeCamera: (cameraId) => void driver.purge(cameraId),
    acceptWindows: (windows) => windows.forEach((w) => driver.enqueue(w)),
    acceptSegments: () => undefined,
    gauges: () => ({
      queueDepth: batcher.depth,
      inFlight: driver.inFlight,
      pendingWindows: batcher.depth,
      heldFeatures: 0,
      abandoned,
      degraded: 0,
    }),
    drained: () => driver.idle.wait(),
    close: () => driver.close(),
  };
}

function createHeadQueue(head: HeadFn, ctx: StageContext): HeadQueue {
  return new HeadQueue(ctx.batching.maxQueue, ctx.scheduler, {
    run: (call) => {
      ctx.counters.headCalls++;
      return head(call.features, call.windows.length, call.perWindow);
    },
    onResult: (call, logits, startedAtMs) => {
      ctx.samples.observeHeadMs(ctx.scheduler.now() - startedAtMs);
      ctx.deliver(
        call.windows.map((w) => w.spec),
        logits,
      );
    },
    onError: (_call, error) => {
      ctx.counters.headErrors++;
      ctx.reportError(asTsnError(error, 'E_PIPELINE_HEAD'));
    },
    onDrop: (call) => {
      ctx.counters.headDropped += call.windows.length;
    },
  });
}

function asTsnError(error: unknown, code: 'E_PIPELINE_EMBED' | 'E_PIPELINE_HEAD'): TsnError {
  if (error instanceof TsnError) return error;
  const what = code === 'E_PIPELINE_EMBED' ? 'backbone (embed/clip)' : 'head';
  const detail = error instanceof Error ? error.message : String(error);
  return new TsnError(
    code,
    `the ${what} inference call failed: ${detail}; the affected windows were skipped`,
    {
      cause: error,
    },
  );
}
