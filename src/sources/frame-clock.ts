export interface FrameTimes {
  readonly ptsMs: number;
  readonly wallMs: number;
  /**
   * Where the frame's timestamp puts it on the wall clock counted from the connection's first arrival.
   * Far ahead of the arrival time means the stream runs faster than real time (a camera clock jump).
   */
  readonly scheduledWallMs: number;
}

/**
 * Stream and wall times of a source's frames. Within a connection, frame n of the fps filter's
 * constant-rate output is at n * intervalMs on the stream clock. The wall clock mapping is the earliest
 * one any frame of the connection allows (wall = min over frames of arrival - offset, + offset): a frame
 * cannot have been captured after it reached us, and ffmpeg delivers the first frames of a connection
 * in a burst (buffered packets decoded at once), so anchoring on the first arrival alone would put every
 * later frame up to a second in the future and make measured latency read low.
 *
 * Across reconnections the stream clock continues instead of restarting at 0: the first frame of a new
 * connection lands after the last one by the wall time that passed (at least one interval). ptsMs is
 * therefore strictly increasing for the life of the source and an outage shows as a gap of its length,
 * which is what a segmenter on a fixed time grid needs.
 */
export class FrameClock {
  private index = 0;
  private connectionPtsMs = 0;
  private connectionWallMs = 0;
  private firstArrivalMs = 0;
  private last: FrameTimes | undefined;

  /**
   * `reconnectAlignMs` > 0: a new connection's stream time starts on a multiple of it (decode 'picked':
   * the decoder's timeline puts segment centres on its slots only if the service's grid, anchored at 0,
   * stays in step with it).
   */
  constructor(
    private readonly intervalMs: number,
    private readonly reconnectAlignMs = 0,
  ) {}

  /** A new connection: the next frame starts a new mapping. */
  reconnect(): void {
    this.index = 0;
  }

  stamp(nowMs: number): FrameTimes {
    if (this.index === 0) {
      const last = this.last;
      const startMs = last === undefined ? 0 : last.ptsMs + Math.max(this.intervalMs, nowMs - last.wallMs);
      const align = this.reconnectAlignMs;
      this.connectionPtsMs = align > 0 ? Math.ceil(startMs / align - 1e-9) * align : startMs;
      this.connectionWallMs = nowMs;
      this.firstArrivalMs = nowMs;
    }
    const offsetMs = this.index * this.intervalMs;
    this.connectionWallMs = Math.min(this.connectionWallMs, nowMs - offsetMs);
    this.index += 1;
    this.last = {
      ptsMs: this.connectionPtsMs + offsetMs,
      wallMs: this.connectionWallMs + offsetMs,
      scheduledWallMs: this.firstArrivalMs + offsetMs,
    };
    return this.last;
  }
}
