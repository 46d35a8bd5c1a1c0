// The paper model of docs/scale-out.md, computed from the measured per-frame costs: cameras per CPU edge
// core, per CPU inference core and per GPU inference node. Only the GPU's own throughput is assumed (not
// measured here); every other figure comes from this run or from bench/results/ingest.json.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Default window: 8 segments (tsn_k400_8) over windowMs 4000, CenterCrop, each segment embedded once. */
const NUM_SEG = 8;
const WINDOW_MS = 4000;
/** Keep every resource at most this busy, so queues stay short under bursts. */
const HEADROOM = 0.7;
const GPU_NODE = { hostCores: 8, nicGbitPerSecond: 10 };

interface PerFrame {
  readonly localCpuMs: number;
  readonly edgeCpuMs: number;
  readonly workerCpuMs: number;
  readonly natsServerCpuMs: number;
  readonly backboneCpuMs: number;
  readonly requestBytes: number;
}

interface Measured {
  readonly perFrame: PerFrame;
  readonly preprocessCpuMsPerFrame: number;
}

/** ffmpeg + node CPU (cores) per camera at sampleFps 4 from bench:ingest, per input. */
function ingestCoresPerCamera(): Record<string, number> {
  const path = join(
    dirname(fileURLToPath(import.meta.url)),
    '..',
    '..',
    '..',
    'bench',
    'results',
    'ingest.json',
  );
  if (!existsSync(path)) return {};
  const rows = (JSON.parse(readFileSync(path, 'utf8')) as { rows: Record<string, unknown>[] }).rows;
  return Object.fromEntries(
    rows
      .filter((r) => r.sampleFps === 4 && r.valid === true)
      .map((r) => [r.input as string, Number(r.ffmpegCpuPerVideoSecond) + Number(r.nodeCpuPerVideoSecond)]),
  );
}

export function paperModel(report: Measured, gpuFramesPerSecond = 1000) {
  const p = report.perFrame;
  const fps = NUM_SEG / (WINDOW_MS / 1000);
  const perCore = (msPerFrame: number) => (HEADROOM * 1000) / (fps * msPerFrame);
  const ingest = ingestCoresPerCamera();
  const edge = Object.fromEntries(
    Object.entries(ingest).map(([input, cores]) => [
      input,
      {
        ingestCoresPerCamera: cores,
        camerasPerCoreRemote: HEADROOM / (cores + (fps * p.edgeCpuMs) / 1000),
        camerasPerCoreLocal: HEADROOM / (cores + (fps * p.localCpuMs) / 1000),
      },
    ]),
  );
  // On a GPU node the host CPU still crops and normalises every frame (measured) and handles its message:
  // taken equal to the edge's handling (the same NATS client and wire code, the other way round).
  const hostCpuMs = report.preprocessCpuMsPerFrame + p.edgeCpuMs;
  const limits = {
    gpu: (HEADROOM * gpuFramesPerSecond) / fps,
    hostCpu: GPU_NODE.hostCores * perCore(hostCpuMs),
    network: (HEADROOM * GPU_NODE.nicGbitPerSecond * 1e9) / 8 / (fps * p.requestBytes),
  };
  return {
    assumptions: {
      framesPerCameraPerSecond: fps,
      why: `${NUM_SEG} segments per ${WINDOW_MS} ms window, CenterCrop, each segment frame embedded once (feature reuse)`,
      headroom: HEADROOM,
      ingest: 'bench/results/ingest.json, sampleFps 4 (ffmpeg + node CPU per camera)',
    },
    edgeNode: edge,
    cpuInferNode: { camerasPerCore: perCore(p.workerCpuMs) },
    natsServer: {
      camerasPerCore: perCore(p.natsServerCpuMs),
      megabitPerSecondPerCamera: (fps * p.requestBytes * 8) / 1e6,
    },
    gpuInferNode: {
      notMeasuredHere: true,
      assumed: { gpuFramesPerSecond, ...GPU_NODE },
      hostCpuMsPerFrame: hostCpuMs,
      hostCpuMsPerFrameIs: 'preprocessCpuMsPerFrame + perFrame.edgeCpuMs (measured)',
      limits,
      cameras: Math.min(limits.gpu, limits.hostCpu, limits.network),
    },
  };
}
