// Closed-loop load for bench:remote: `concurrency` callers each send one request (framesPerRequest segment
// frames) and send the next as soon as it is answered, for a fixed time. Every round trip is timed from
// the caller's side (encode + NATS + worker queue and batch + decode for remote; crop + backbone for
// local). CPU is read around the whole run, so requests still in flight at the end are counted whole.
import { firstValueFrom, from } from 'rxjs';
import type { SegmentFrame } from '../../src/domain/index.js';
import type { EmbedFn } from '../../src/pipeline/inference-stages.js';
import { CROP } from './wire-alternatives.js';

export function segmentFrames(frames: readonly Uint8Array[]): SegmentFrame[] {
  return frames.map((rgb, i) => ({
    cameraId: `cam-${i}`,
    segmentIndex: i,
    segmentStartMs: 0,
    segmentEndMs: 0,
    frame: { cameraId: `cam-${i}`, width: CROP, height: CROP, rgb, ptsMs: 0, wallMs: 0 },
  }));
}

export interface LoadRun {
  readonly requests: number;
  readonly frames: number;
  readonly wallMs: number;
  readonly roundTripsMs: number[];
  readonly errors: number;
}

export async function runLoad(
  embed: EmbedFn,
  segments: readonly SegmentFrame[],
  concurrency: number,
  framesPerRequest: number,
  durationMs: number,
): Promise<LoadRun> {
  const roundTripsMs: number[] = [];
  let requests = 0;
  let errors = 0;
  let next = 0;
  const started = performance.now();
  const stopAt = started + durationMs;
  const caller = async (): Promise<void> => {
    while (performance.now() < stopAt) {
      const batch = Array.from({ length: framesPerRequest }, () => segments[next++ % segments.length]!);
      const t0 = performance.now();
      try {
        await firstValueFrom(from(embed(batch, 1)));
        roundTripsMs.push(performance.now() - t0);
        requests++;
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, caller));
  return {
    requests,
    frames: requests * framesPerRequest,
    wallMs: performance.now() - started,
    roundTripsMs,
    errors,
  };
}
