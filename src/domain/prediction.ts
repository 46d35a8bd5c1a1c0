export interface LabelScore {
  readonly index: number;
  readonly label: string;
  /** Softmax probability. */
  readonly score: number;
}

/** One window's result: fc(mean(features of its numSeg segment frames)). */
export interface Prediction {
  readonly cameraId: string;
  readonly modelId: string;
  /** Stream-clock bounds of the window, ms. */
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  /** Wall-clock (epoch ms) bounds of the window. */
  readonly windowStartWallMs: number;
  readonly windowEndWallMs: number;
  readonly numSeg: number;
  /** Segment indices on the camera's grid, oldest first. */
  readonly segmentIndices: readonly number[];
  readonly logits: Float32Array;
  readonly scores: Float32Array;
  readonly top: readonly LabelScore[];
  /** The cluster instance that computed it (cluster roles only). */
  readonly instance?: string;
}
