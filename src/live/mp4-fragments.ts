// Splits ffmpeg's fragmented MP4 (stdout, arbitrary chunking) into the pieces a viewer needs: the init
// segment (ftyp + moov) once, then media fragments (moof + mdat), cut at keyframes and every 200 ms. Pure: bytes
// in, pieces out; no I/O, no clock.

export type Mp4Piece =
  | { readonly kind: 'init'; readonly bytes: Buffer; readonly codec: string | undefined }
  | { readonly kind: 'fragment'; readonly bytes: Buffer };

/** A box this large is not a live-view fragment: the stream is broken. */
export const MAX_BOX_BYTES = 32 * 1024 * 1024;

export class Mp4FragmentSplitter {
  private pending: Buffer = Buffer.alloc(0);
  private initParts: Buffer[] = [];
  private fragmentParts: Buffer[] = [];
  private initDone = false;

  /** Feeds stdout bytes; returns the pieces completed by them. Throws on a malformed stream. */
  push(chunk: Buffer): Mp4Piece[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const out: Mp4Piece[] = [];
    for (;;) {
      const box = this.nextBox();
      if (box === undefined) break;
      const piece = this.take(box.type, box.bytes);
      if (piece !== undefined) out.push(piece);
    }
    return out;
  }

  private nextBox(): { type: string; bytes: Buffer } | undefined {
    if (this.pending.length < 8) return undefined;
    let size = this.pending.readUInt32BE(0);
    const type = this.pending.toString('latin1', 4, 8);
    if (size === 1) {
      if (this.pending.length < 16) return undefined;
      size = Number(this.pending.readBigUInt64BE(8));
    }
    if (size < 8 || size > MAX_BOX_BYTES) throw new Error(`bad MP4 box "${type}" of ${size} bytes`);
    if (this.pending.length < size) return undefined;
    const bytes = this.pending.subarray(0, size);
    this.pending = this.pending.subarray(size);
    return { type, bytes };
  }

  private take(type: string, bytes: Buffer): Mp4Piece | undefined {
    if (!this.initDone) {
      this.initParts.push(Buffer.from(bytes));
      if (type !== 'moov') return undefined;
      this.initDone = true;
      const init = Buffer.concat(this.initParts);
      this.initParts = [];
      return { kind: 'init', bytes: init, codec: codecOf(init) };
    }
    if (type === 'moof' || this.fragmentParts.length > 0) this.fragmentParts.push(Buffer.from(bytes));
    if (type !== 'mdat') return undefined;
    const fragment = Buffer.concat(this.fragmentParts);
    this.fragmentParts = [];
    return { kind: 'fragment', bytes: fragment };
  }
}

/**
 * The RFC 6381 codec string Media Source Extensions need ("avc1.64001f"), read from the avcC record in the
 * init segment; undefined when the video is not H.264 (the live view then transcodes).
 */
export function codecOf(init: Buffer): string | undefined {
  const at = init.indexOf('avcC', 0, 'latin1');
  if (at < 4 || at + 8 > init.length) return undefined;
  // avcC payload: configurationVersion, AVCProfileIndication, profile_compatibility, AVCLevelIndication.
  const hex = (i: number) => (init[at + 4 + i] ?? 0).toString(16).padStart(2, '0');
  return `avc1.${hex(1)}${hex(2)}${hex(3)}`;
}
