// The one interface through which the pipeline gets logits. The pipeline owns its shape; src/inference
// implements it in-process (pipeline-inference.ts: crop, normalise, backbone, head, clip model), and an
// edge may plug in a remote embed (src/cluster/remote-embed.ts) beside a local head. Every call is async
// (ObservableInput: a Promise or an Observable) and may overlap others (batching.maxInFlight).
import type { ObservableInput } from 'rxjs';
import type { SegmentFrame } from '../domain/index.js';

/**
 * Segment frames (scaled by the source, not yet cropped or normalised) -> batch x views x featureDim
 * backbone features, frame-major then view. The heavy call, and the only one worth sending elsewhere.
 */
export type EmbedFn = (batch: readonly SegmentFrame[], views: number) => ObservableInput<Float32Array>;
/** windows x perWindow x featureDim features -> windows x numClasses logits, fc(mean). Cheap: stays local. */
export type HeadFn = (
  features: Float32Array,
  windows: number,
  perWindow: number,
) => ObservableInput<Float32Array>;
/** windows x numSeg frames (window-major) -> windows x numClasses logits, for models taking [N, T, 3, H, W]. */
export type ClipFn = (
  frames: readonly SegmentFrame[],
  windows: number,
  numSeg: number,
  views: number,
) => ObservableInput<Float32Array>;

/** Segment mode (TSN checkpoints): each segment frame is embedded once and shared by the windows holding it. */
export interface SegmentInferencePort {
  readonly mode: 'segment';
  readonly embed: EmbedFn;
  readonly head: HeadFn;
}

/** Clip mode (external clip models): whole windows, batched across cameras. */
export interface ClipInferencePort {
  readonly mode: 'clip';
  readonly clip: ClipFn;
}

export type InferencePort = SegmentInferencePort | ClipInferencePort;
