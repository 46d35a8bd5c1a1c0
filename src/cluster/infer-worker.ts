// An inference worker: answers remote-inference requests for the models it holds, from a NATS queue group,
// batching frames across requests (maxBatch frames, maxWaitMs after the oldest). The request queue is
// bounded: when full, the oldest request is answered with E_CLUSTER_INFER_OVERLOAD at once, so its edge
// retries elsewhere instead of waiting for a timeout.
import type { Msg, NatsConnection, Subscription } from 'nats';
import type { SegmentFrame } from '../domain/index.js';
import type { EmbedFn } from '../pipeline/inference-stages.js';
import { firstValueFrom, from } from 'rxjs';
import { decodeInferRequest, encodeInferReply, type InferRequest } from './infer-wire.js';

export interface InferWorkerOptions {
  readonly workerId: string;
  /** Subject per model id (see inferSubject); a worker subscribes only for models it holds. */
  readonly models: ReadonlyMap<
    string,
    { readonly subject: string; readonly embed: EmbedFn; readonly featureDim: number }
  >;
  readonly queueGroup: string;
  readonly maxBatch: number;
  readonly maxWaitMs: number;
  /** Requests waiting; beyond this the oldest is refused. */
  readonly maxQueue: number;
  /** Clock for the requests' waiting budget (default Date.now). */
  readonly now?: () => number;
}

export interface InferWorkerStats {
  requests: number;
  frames: number;
  batches: number;
  refused: number;
  failed: number;
  /** Requests dropped unanswered because their edge had stopped waiting (queued past their waitMs). */
  expired: number;
  bytesIn: number;
  bytesOut: number;
}

interface Pending {
  readonly msg: Msg;
  readonly request: InferRequest;
  readonly receivedAtMs: number;
}

export class InferWorker {
  private readonly subscriptions: Subscription[] = [];
  private readonly queues = new Map<string, Pending[]>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly busy = new Set<string>();
  private closed = false;
  readonly stats: InferWorkerStats = {
    requests: 0,
    frames: 0,
    batches: 0,
    refused: 0,
    failed: 0,
    expired: 0,
    bytesIn: 0,
    bytesOut: 0,
  };

  constructor(
    private readonly nc: NatsConnection,
    private readonly options: InferWorkerOptions,
  ) {
    for (const [modelId, model] of options.models) {
      this.queues.set(modelId, []);
      this.subscriptions.push(
        nc.subscribe(model.subject, {
          queue: options.queueGroup,
          callback: (error, msg) => !error && this.receive(modelId, msg),
        }),
      );
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const s of this.subscriptions) s.unsubscribe();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const [, queue] of this.queues)
      for (const p of queue.splice(0)) this.refuse(p.msg, 'E_CLUSTER_INFER_OVERLOAD', 'worker shutting down');
    await this.nc.flush().catch(() => undefined);
  }

  private receive(modelId: string, msg: Msg): void {
    this.stats.requests++;
    this.stats.bytesIn += msg.data.byteLength;
    let request: InferRequest;
    try {
      request = decodeInferRequest(msg.data);
    } catch (error) {
      this.refuse(msg, 'E_CLUSTER_WIRE', (error as Error).message);
      return;
    }
    if (request.modelId !== modelId) {
      this.refuse(msg, 'E_CLUSTER_INFER_MODEL', `this worker holds ${modelId}, not ${request.modelId}`);
      return;
    }
    const queue = this.queues.get(modelId)!;
    queue.push({ msg, request, receivedAtMs: this.now() });
    while (queue.length > this.options.maxQueue) {
      const oldest = queue.shift()!;
      this.refuse(oldest.msg, 'E_CLUSTER_INFER_OVERLOAD', 'worker queue full');
    }
    this.schedule(modelId);
  }

  private schedule(modelId: string): void {
    if (this.closed || this.busy.has(modelId)) return;
    const queue = this.queues.get(modelId)!;
    const frames = queue.reduce((n, p) => n + p.request.frames.length, 0);
    if (frames >= this.options.maxBatch) {
      void this.runBatch(modelId);
    } else if (queue.length > 0 && !this.timers.has(modelId)) {
      this.timers.set(
        modelId,
        setTimeout(() => {
          this.timers.delete(modelId);
          void this.runBatch(modelId);
        }, this.options.maxWaitMs),
      );
    }
  }

  /** Takes whole requests up to maxBatch frames (at least one request), runs them, answers each. */
  private async runBatch(modelId: string): Promise<void> {
    const queue = this.queues.get(modelId)!;
    this.dropExpired(queue);
    if (queue.length === 0 || this.busy.has(modelId)) return;
    const timer = this.timers.get(modelId);
    if (timer !== undefined) clearTimeout(timer);
    this.timers.delete(modelId);
    const taken: Pending[] = [];
    let frames = 0;
    while (
      queue.length > 0 &&
      (taken.length === 0 || frames + queue[0]!.request.frames.length <= this.options.maxBatch)
    ) {
      const next = queue.shift()!;
      frames += next.request.frames.length;
      taken.push(next);
    }
    this.busy.add(modelId);
    const model = this.options.models.get(modelId)!;
    try {
      // Requests may differ in views (CenterCrop vs TenCrop cameras): one embed call per views value.
      for (const views of new Set(taken.map((p) => p.request.views))) {
        const group = taken.filter((p) => p.request.views === views);
        const segments = group.flatMap((p) => p.request.frames.map(toSegmentFrame));
        const features = await firstValueFrom(from(model.embed(segments, views)));
        this.answer(group, features, views, model.featureDim);
      }
      this.stats.batches++;
      this.stats.frames += frames;
    } catch (error) {
      this.stats.failed++;
      for (const p of taken) this.refuse(p.msg, 'E_CLUSTER_INFER_FAILED', (error as Error).message);
    } finally {
      this.busy.delete(modelId);
      this.schedule(modelId);
    }
  }

  /** An overloaded worker would otherwise spend its time on requests whose edge has given up (and retried). */
  private dropExpired(queue: Pending[]): void {
    const nowMs = this.now();
    for (let i = queue.length - 1; i >= 0; i--) {
      const { request, receivedAtMs } = queue[i]!;
      if (request.waitMs !== undefined && nowMs - receivedAtMs >= request.waitMs) {
        queue.splice(i, 1);
        this.stats.expired++;
      }
    }
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private answer(group: readonly Pending[], features: Float32Array, views: number, featureDim: number): void {
    let at = 0;
    for (const p of group) {
      const size = p.request.frames.length * views * featureDim;
      const reply = encodeInferReply({
        ok: true,
        worker: this.options.workerId,
        featureDim,
        features: features.subarray(at, at + size),
      });
      at += size;
      this.stats.bytesOut += reply.byteLength;
      p.msg.respond(reply);
    }
  }

  private refuse(msg: Msg, code: string, message: string): void {
    this.stats.refused++;
    msg.respond(encodeInferReply({ ok: false, worker: this.options.workerId, code, message }));
  }
}

function toSegmentFrame(frame: { width: number; height: number; rgb: Uint8Array }): SegmentFrame {
  return {
    cameraId: 'remote',
    segmentIndex: 0,
    segmentStartMs: 0,
    segmentEndMs: 0,
    frame: {
      cameraId: 'remote',
      width: frame.width,
      height: frame.height,
      rgb: frame.rgb,
      ptsMs: 0,
      wallMs: 0,
    },
  };
}
