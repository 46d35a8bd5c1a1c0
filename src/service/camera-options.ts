// Maps one camera's effective config onto the sources' and the pipeline's option types (pure).
import type { ResolvedCamera } from '../config/index.js';
import type { CameraOptionsInput } from '../pipeline/options.js';
import type { OutputGeometry, SourceOptions } from '../sources/options.js';

// TenCrop needs the whole short-side-256 picture: 341x256 is a 4:3 frame; wider cameras lose their sides
// (centre crop) instead of being squeezed.
const tenCropGeometry: OutputGeometry = { width: 341, height: 256, mode: 'center-crop', shortSide: 256 };
const centerCropGeometry: OutputGeometry = { width: 224, height: 224, mode: 'center-crop', shortSide: 256 };

export function sourceOptionsOf(camera: ResolvedCamera, url: string, modelNumSeg: number): SourceOptions {
  return {
    id: camera.id,
    url,
    ...(camera.substreamUrl === undefined ? {} : { substreamUrl: camera.substreamUrl }),
    rtspTransport: camera.rtspTransport,
    hwaccel: camera.hwaccel,
    ...(camera.hwaccelDevice === undefined ? {} : { hwaccelDevice: camera.hwaccelDevice }),
    decode: camera.decode,
    ...(camera.decode === 'picked' ? { segmentMs: segmentMsOf(camera, modelNumSeg) } : {}),
    sampleFps: camera.sampleFps,
    output: camera.crop === 'ten' ? tenCropGeometry : centerCropGeometry,
    loop: camera.loop,
    stallTimeoutMs: camera.stallTimeoutMs,
    connectTimeoutMs: camera.connectTimeoutMs,
    ...(camera.backoff === undefined
      ? {}
      : { backoff: camera.backoff.map((s) => ({ delayMs: s.delayMs, times: s.times ?? Infinity })) }),
  };
}

export function pipelineOptionsOf(camera: ResolvedCamera, modelNumSeg: number): CameraOptionsInput {
  const { detector } = camera;
  return {
    numSeg: camera.numSeg ?? modelNumSeg,
    windowMs: camera.windowMs,
    strideSegments: camera.strideSegments,
    views: camera.crop === 'ten' ? 10 : 1,
    maxGapMs: camera.maxGapMs,
    missingSegment: camera.missingSegment,
    pick: camera.pick,
    // decode 'picked' decodes what each segment's centre needs, the centres on the source's frames
    // 0, P, 2P... (P frames per segment; FrameClock keeps that across reconnections). Phase slots
    // would move them off those frames.
    ...(camera.decode === 'picked' ? { gridOriginMs: -segmentMsOf(camera, modelNumSeg) / 2 } : {}),
    // Every source's ffmpeg emits a constant sampleFps stream (fps filter; FrameClock stamps it).
    framePeriodMs: 1000 / camera.sampleFps,
    // Always on: the API shows each camera's last prediction; publishing them is filtered separately.
    emitPredictions: true,
    detector: {
      smoothing: detector.smoothing,
      onThreshold: detector.onThreshold,
      offThreshold: detector.offThreshold,
      minWindowsOn: detector.minWindowsOn,
      minWindowsOff: detector.minWindowsOff,
      cooldownMs: detector.cooldownMs,
      topK: detector.topK,
      labels: { allow: detector.labels.allow, deny: detector.labels.deny },
      perLabel: detector.perLabel,
      maxWindowGapMs: detector.maxWindowGapMs,
    },
  };
}

function segmentMsOf(camera: ResolvedCamera, modelNumSeg: number): number {
  return camera.windowMs / (camera.numSeg ?? modelNumSeg);
}
