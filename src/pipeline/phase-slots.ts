// Cameras started together (the service's start, a burst of POSTs) deliver their frames at the same
// instants, so every camera's segment pick would become final at the same moment and the backbone would get
// one burst per segment, the last job waiting for all the others. Shifting a camera's segment grid by whole
// frame periods moves the frame its pick lands on, and with it that moment: floor(segment / period) slots.
// Pure bookkeeping: which camera holds which slot.

interface Held {
  readonly group: string;
  readonly slot: number;
}

export class PhaseSlots {
  private readonly held = new Map<string, Held>();

  /**
   * The grid origin (ms, <= 0) for a camera: the least used slot of cameras with the same segment length and
   * frame period.
   */
  assign(cameraId: string, segmentMs: number, framePeriodMs: number): number {
    this.release(cameraId);
    const slots = framePeriodMs > 0 ? Math.floor(segmentMs / framePeriodMs + 1e-9) : 1;
    if (slots <= 1) return 0;
    const group = `${segmentMs}/${framePeriodMs}`;
    const used = new Array<number>(slots).fill(0);
    for (const h of this.held.values()) {
      if (h.group === group) used[h.slot] = (used[h.slot] ?? 0) + 1;
    }
    const slot = used.indexOf(Math.min(...used));
    this.held.set(cameraId, { group, slot });
    // Shifted back by a segment, so a stream starting at pts 0 starts in segment 0, not -1 (segment
    // indices are >= 0 on the wire).
    return slot === 0 ? 0 : slot * framePeriodMs - segmentMs;
  }

  release(cameraId: string): void {
    this.held.delete(cameraId);
  }
}
