import type { FaultSpec } from './types.js';

/** mulberry32: a tiny seeded PRNG, so a lossy run can be replayed exactly. Returns [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export type PacketVerdict =
  | { readonly kind: 'send' }
  | { readonly kind: 'drop' }
  | { readonly kind: 'corrupt'; readonly byteIndex: number };

/** Decides, packet by packet, what the loss and corruption faults do. Pure apart from its own RNG state. */
export class PacketFaults {
  private readonly random: () => number;

  constructor(
    private readonly spec: FaultSpec,
    seed: number = spec.seed ?? 1,
  ) {
    this.random = seededRandom(seed);
  }

  verdict(payloadBytes: number): PacketVerdict {
    const loss = this.spec.packetLossPercent ?? 0;
    if (loss > 0 && this.random() * 100 < loss) return { kind: 'drop' };
    const corrupt = this.spec.corruptPercent ?? 0;
    if (corrupt > 0 && this.random() * 100 < corrupt) {
      // Leave the NAL / FU headers alone so the damage lands in slice data, as on a noisy link.
      const first = Math.min(2, payloadBytes - 1);
      return { kind: 'corrupt', byteIndex: first + Math.floor(this.random() * (payloadBytes - first)) };
    }
    return { kind: 'send' };
  }
}

export function corruptedCopy(payload: Buffer, byteIndex: number): Buffer {
  const copy = Buffer.from(payload);
  copy[byteIndex] = (copy[byteIndex] ?? 0) ^ 0xff;
  return copy;
}

/** Merges a new fault spec over the current one (later fields win; undefined fields keep their value). */
export function mergeFaults(
  current: FaultSpec,
  update: { readonly [K in keyof FaultSpec]?: FaultSpec[K] | undefined },
): FaultSpec {
  const merged: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(update)) if (value !== undefined) merged[key] = value;
  return merged as FaultSpec;
}
