/** One decoded picture from a camera: packed RGB24, row-major, no padding. */
export interface Frame {
  readonly cameraId: string;
  readonly width: number;
  readonly height: number;
  /** width * height * 3 bytes, RGB. */
  readonly rgb: Uint8Array;
  /** Presentation time on the stream's own clock, ms. */
  readonly ptsMs: number;
  /** The same instant on the wall clock (epoch ms), mapped once per connection. */
  readonly wallMs: number;
}

/** The frame the segmenter picked for one segment of its time grid. */
export interface SegmentFrame {
  readonly cameraId: string;
  /** Index of the segment on the camera's grid (segment k covers [k*segmentMs, (k+1)*segmentMs)). */
  readonly segmentIndex: number;
  readonly segmentStartMs: number;
  readonly segmentEndMs: number;
  readonly frame: Frame;
}

/** Backbone output for one segment frame (all views of it, view-major: views x featureDim). */
export interface SegmentFeature {
  readonly cameraId: string;
  readonly segmentIndex: number;
  readonly segmentStartMs: number;
  readonly segmentEndMs: number;
  readonly framePtsMs: number;
  readonly frameWallMs: number;
  readonly views: number;
  readonly feature: Float32Array;
}
