import type { OutputGeometry } from './options.js';

export interface Size {
  readonly width: number;
  readonly height: number;
}

/**
 * PaddleVideo's Scale (test pipeline): short side to `shortSide`, aspect kept, both sides
 * int(side * shortSide / short + 0.5). 320x240 -> 341x256, 1280x720 -> 455x256. When a crop of
 * `cover` would not fit, the factor grows just enough to cover it (PaddleVideo would fail there).
 */
export function scaledSize(input: Size, shortSide: number, cover: Size = { width: 0, height: 0 }): Size {
  const factor = Math.max(
    shortSide / Math.min(input.width, input.height),
    cover.width / input.width,
    cover.height / input.height,
  );
  return { width: Math.trunc(input.width * factor + 0.5), height: Math.trunc(input.height * factor + 0.5) };
}

/** CenterCrop's offsets: floor((W - w) / 2), floor((H - h) / 2). */
export function centerCropOffsets(scaled: Size, crop: Size): { readonly x: number; readonly y: number } {
  return { x: Math.floor((scaled.width - crop.width) / 2), y: Math.floor((scaled.height - crop.height) / 2) };
}

/** The size of every frame on stdout: fixed by configuration, never by the camera. */
export function outputSize(output: Required<OutputGeometry>): Size {
  return { width: output.width, height: output.height };
}

/**
 * ffmpeg filters after frame selection, as one filtergraph fragment. The scale expressions are the same
 * arithmetic as scaledSize(), evaluated by ffmpeg per input size, so a camera that changes resolution
 * mid-stream is rescaled and cropped to the same output size. Scaling writes rgb24 directly (one swscale
 * pass: resize + colour conversion); the crop runs on rgb24, where ffmpeg does not round offsets to the
 * chroma grid, so the offsets are exactly PaddleVideo's floors.
 */
export function geometryFilters(output: Required<OutputGeometry>): string[] {
  const { width: w, height: h } = output;
  if (output.mode === 'scale') return [`scale=${w}:${h}:flags=bilinear`, 'format=rgb24'];
  const factor = `max(${output.shortSide}/min(iw,ih),max(${w}/iw,${h}/ih))`;
  return [
    `scale=w='trunc(iw*${factor}+0.5)':h='trunc(ih*${factor}+0.5)':flags=bilinear`,
    'format=rgb24',
    `crop=${w}:${h}:'floor((iw-${w})/2)':'floor((ih-${h})/2)'`,
  ];
}
