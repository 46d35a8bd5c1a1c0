// The wire comparison of bench:remote: what infer-wire sends (uint8 crops, float32 features) against JPEG
// crops and float16 features, each with its bytes per frame, CPU per frame and effect on the result.
import { firstValueFrom, from } from 'rxjs';
import type { EmbedFn } from '../../src/pipeline/inference-stages.js';
import { segmentFrames } from './load.js';
import { maxAbsDiff, measureFloat16, measureJpeg, relativeError } from './wire-alternatives.js';

export interface WireInputs {
  readonly ffmpeg: string;
  readonly frames: readonly Uint8Array[];
  /** Local features of the first 8 frames (the reference). */
  readonly localFeatures: Float32Array;
  readonly featureDim: number;
  readonly embed: EmbedFn;
  readonly head: (features: Float32Array, windows: number, perWindow: number) => Promise<Float32Array>;
  /** Encoded sizes from infer-wire for n frames. */
  readonly requestBytes: (n: number) => number;
  readonly replyBytes: (n: number) => number;
}

const argmax = (a: Float32Array) => a.reduce((best, v, i) => (v > a[best]! ? i : best), 0);

export async function measureWireAlternatives(inputs: WireInputs) {
  const n = inputs.localFeatures.length / inputs.featureDim;
  // Per frame of an n-frame message: the header shared by the n frames, plus each frame.
  const perFrame = (bytes: (k: number) => number) => bytes(n) / n;
  const logits = await inputs.head(inputs.localFeatures, 1, n);
  const jpeg = [];
  for (const quality of [3, 8]) {
    const r = measureJpeg(inputs.ffmpeg, inputs.frames, quality);
    const features = await firstValueFrom(from(inputs.embed(segmentFrames(r.decoded.slice(0, n)), 1)));
    const jpegLogits = await inputs.head(features, 1, n);
    jpeg.push({
      format: `jpeg -q:v ${quality}`,
      bytesPerFrame: r.bytesPerFrame,
      edgeEncodeCpuMsPerFrame: r.encodeCpuMsPerFrame,
      workerDecodeCpuMsPerFrame: r.decodeCpuMsPerFrame,
      meanAbsPixelError: r.meanAbsPixelError,
      featureRelativeError: relativeError(inputs.localFeatures, features),
      maxAbsLogitDiff: maxAbsDiff(logits, jpegLogits),
      sameTop1: argmax(logits) === argmax(jpegLogits),
    });
  }
  const replyHeader = inputs.replyBytes(0);
  const f16 = measureFloat16(inputs.localFeatures, inputs.featureDim, replyHeader);
  const f16Logits = await inputs.head(f16.roundTrip, 1, n);
  return {
    request: {
      used: { format: 'uint8 RGB 224x224 (infer-wire v1)', bytesPerFrame: perFrame(inputs.requestBytes) },
      alternatives: jpeg,
    },
    reply: {
      used: { format: 'float32 features (infer-wire v1)', bytesPerFrame: perFrame(inputs.replyBytes) },
      alternatives: [
        {
          format: 'float16 features',
          bytesPerFrame: f16.bytesPerFrame,
          workerEncodeCpuMsPerFrame: f16.encodeCpuMsPerFrame,
          edgeDecodeCpuMsPerFrame: f16.decodeCpuMsPerFrame,
          featureRelativeError: relativeError(inputs.localFeatures, f16.roundTrip),
          maxAbsLogitDiff: maxAbsDiff(logits, f16Logits),
          sameTop1: argmax(logits) === argmax(f16Logits),
        },
      ],
    },
  };
}
