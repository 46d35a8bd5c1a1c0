// One camera's live pieces to its viewers. Pure (viewers are an interface): a viewer gets the codec and the
// init segment first, then whole fragments; a viewer whose unsent bytes pass maxBufferedBytes is dropped,
// never waited for, so a slow viewer costs the others nothing and the process bounded memory.
import type { Mp4Piece } from './mp4-fragments.js';

export interface LiveViewer {
  sendText(text: string): void;
  sendBinary(bytes: Buffer): void;
  /** Bytes accepted by send but not yet written to the network. */
  bufferedBytes(): number;
  /** Closes the viewer: 4008 (slow consumer) or 4404 (the camera has nothing to watch). */
  drop(reason: 'slow' | 'unavailable'): void;
}

export interface LiveInitMessage {
  readonly op: 'init';
  readonly codec: string;
  readonly mode: 'copy' | 'transcode';
}

export interface FanoutStats {
  readonly viewers: number;
  readonly fragments: number;
  readonly bytesSent: number;
  readonly slowViewersDropped: number;
}

export class LiveFanout {
  private init: { readonly message: string; readonly bytes: Buffer } | undefined;
  private readonly viewers = new Map<LiveViewer, { started: boolean }>();
  private fragments = 0;
  private bytesSent = 0;
  private slowViewersDropped = 0;

  constructor(private readonly maxBufferedBytes: number) {}

  add(viewer: LiveViewer): void {
    const state = { started: false };
    this.viewers.set(viewer, state);
    if (this.init !== undefined) this.start(viewer, state);
  }

  remove(viewer: LiveViewer): void {
    this.viewers.delete(viewer);
  }

  get size(): number {
    return this.viewers.size;
  }

  /** A new encoder (restart, other mode) sends a new init segment: every viewer starts over with it. */
  setInit(init: LiveInitMessage, bytes: Buffer): void {
    this.init = { message: JSON.stringify(init), bytes };
    for (const [viewer, state] of this.viewers) this.start(viewer, state);
  }

  /** The encoder stopped: its init segment no longer describes what comes next. */
  clearInit(): void {
    this.init = undefined;
    for (const state of this.viewers.values()) state.started = false;
  }

  push(piece: Mp4Piece & { kind: 'fragment' }): void {
    this.fragments += 1;
    for (const [viewer, state] of this.viewers) {
      if (!state.started) continue;
      if (viewer.bufferedBytes() > this.maxBufferedBytes) {
        this.viewers.delete(viewer);
        this.slowViewersDropped += 1;
        viewer.drop('slow');
        continue;
      }
      viewer.sendBinary(piece.bytes);
      this.bytesSent += piece.bytes.length;
    }
  }

  /** Closes every viewer (the camera has nothing to watch); they are forgotten at once. */
  dropAll(reason: 'unavailable'): void {
    const viewers = [...this.viewers.keys()];
    this.viewers.clear();
    for (const viewer of viewers) viewer.drop(reason);
  }

  /** A control message (JSON text) to every viewer. */
  broadcastText(text: string): void {
    for (const viewer of this.viewers.keys()) viewer.sendText(text);
  }

  stats(): FanoutStats {
    return {
      viewers: this.viewers.size,
      fragments: this.fragments,
      bytesSent: this.bytesSent,
      slowViewersDropped: this.slowViewersDropped,
    };
  }

  private start(viewer: LiveViewer, state: { started: boolean }): void {
    if (this.init === undefined) return;
    viewer.sendText(this.init.message);
    viewer.sendBinary(this.init.bytes);
    this.bytesSent += this.init.bytes.length;
    state.started = true;
  }
}
