import type { Model } from '../model/types.js';

export type BackendName = 'onnx' | 'tfjs';
export type ExecutionProvider = 'cpu' | 'cuda' | 'tensorrt';

export interface BackendOptions {
  readonly backend: BackendName;
  /** onnx only: tried in order; the first the host supports wins, cpu always last. */
  readonly executionProviders: readonly ExecutionProvider[];
  /** Intra-op threads; 0 = runtime default (all cores). */
  readonly threads: number;
  /**
   * Worker threads, each with its own session of `threads` threads (default 1; thread 'main' ignores it).
   * Backbone calls run side by side on them: on a CPU host with many cameras, one single-threaded worker
   * per core wastes less than one session spread over all cores.
   */
  readonly workers?: number;
  /**
   * onnx only. false (default): a requested provider the host cannot run is skipped and the backend's
   * description says so; true: creation fails with E_BACKEND_PROVIDER instead.
   */
  readonly strictProviders?: boolean;
  /**
   * Where the runtime computes. 'worker' (default): a worker thread, so the synchronous native/wasm
   * compute never blocks the event loop. 'main': the calling thread (one-shot CLI use, debugging).
   */
  readonly thread?: 'worker' | 'main';
}

/**
 * A TSN split where consensus allows it: the backbone maps images to features once per frame; the head
 * averages features over segments and views and applies fc.
 */
export interface Backend {
  readonly name: BackendName;
  /** What actually runs, e.g. "onnxruntime cpu" or "tfjs wasm". */
  readonly description: string;
  readonly featureDim: number;
  readonly numClasses: number;
  readonly inputSize: number;
  /**
   * images: count x 3 x inputSize x inputSize, normalised float32 NCHW.
   * Returns count x featureDim (global-average-pooled backbone output).
   * handOver: the caller never touches `images` again (a buffer of its own, not a view), so a worker
   * backend moves it across instead of copying (at 36 cameras the copies were 22 MB/s of garbage).
   */
  features(images: Float32Array, count: number, handOver?: boolean): Promise<Float32Array>;
  /**
   * features: windows x perWindow x featureDim, where perWindow = segments x views.
   * Returns windows x numClasses logits: fc(mean over perWindow).
   */
  head(features: Float32Array, windows: number, perWindow: number): Promise<Float32Array>;
  close(): Promise<void>;
}

export type BackendFactory = (model: Model, options: BackendOptions) => Promise<Backend>;
