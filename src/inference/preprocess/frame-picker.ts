/**
 * Splits a raw video byte stream into fixed-size frames, counting all of them but copying only the ones
 * whose index is wanted: memory stays bounded by the kept frames, whatever the clip length.
 */
export class FramePicker {
  readonly #frameBytes: number;
  readonly #wanted: ReadonlySet<number>;
  readonly #kept = new Map<number, Uint8Array>();
  #index = 0;
  #offset = 0;
  #current: Uint8Array | undefined;

  constructor(frameBytes: number, wanted: Iterable<number>) {
    if (!Number.isInteger(frameBytes) || frameBytes <= 0) {
      throw new RangeError(`frameBytes must be a positive integer, got ${frameBytes}`);
    }
    this.#frameBytes = frameBytes;
    this.#wanted = new Set(wanted);
  }

  push(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.#offset === 0 && this.#wanted.has(this.#index))
        this.#current = new Uint8Array(this.#frameBytes);
      const take = Math.min(chunk.length - at, this.#frameBytes - this.#offset);
      this.#current?.set(chunk.subarray(at, at + take), this.#offset);
      at += take;
      this.#offset += take;
      if (this.#offset === this.#frameBytes) this.#completeFrame();
    }
  }

  /** Complete frames seen so far. */
  get frameCount(): number {
    return this.#index;
  }

  /** Bytes of an unfinished last frame (non-zero at the end means the stream was cut short). */
  get trailingBytes(): number {
    return this.#offset;
  }

  get kept(): ReadonlyMap<number, Uint8Array> {
    return this.#kept;
  }

  #completeFrame(): void {
    if (this.#current !== undefined) this.#kept.set(this.#index, this.#current);
    this.#current = undefined;
    this.#offset = 0;
    this.#index++;
  }
}
