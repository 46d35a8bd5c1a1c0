// Plays GET /v1/live/:camera (fragmented MP4 over a WebSocket, docs/live-view.md) in a <video> through
// Media Source Extensions. Keeps the delay low: it jumps to the live edge when it falls behind, and it
// trims what has been played so the buffer stays small. Reconnects while the tile is on the page.

export type LiveState = 'connecting' | 'playing' | 'waiting' | 'unsupported' | 'unavailable' | 'closed';

export interface LivePlayerOptions {
  readonly video: HTMLVideoElement;
  readonly url: () => string;
  readonly onState: (state: LiveState, detail?: string) => void;
  readonly reconnectMs?: number;
}

const MAX_DELAY_S = 2;
const KEEP_BEHIND_S = 10;

export class LivePlayer {
  private ws: WebSocket | undefined;
  private source: MediaSource | undefined;
  private buffer: SourceBuffer | undefined;
  private queue: ArrayBuffer[] = [];
  private codec = '';
  private reconnectTimer: number | undefined;
  private closed = false;
  /** The server said this camera has nothing to watch: no reconnect until start() again. */
  private refused = false;
  /** Fragments appended since the start (tests and the tile read it). */
  fragments = 0;

  constructor(private readonly options: LivePlayerOptions) {}

  start(): void {
    this.closed = false;
    this.refused = false;
    this.connect();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.ws?.close();
    this.ws = undefined;
    this.resetMedia();
    this.options.onState('closed');
  }

  private connect(): void {
    this.options.onState('connecting');
    const ws = new WebSocket(this.options.url());
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onmessage = (message: MessageEvent<string | ArrayBuffer>) => {
      if (typeof message.data === 'string') this.onControl(JSON.parse(message.data) as Control);
      else this.enqueue(message.data);
    };
    ws.onclose = () => {
      if (this.ws !== ws || this.closed || this.refused) return;
      this.ws = undefined;
      this.options.onState('waiting', 'live view disconnected; reconnecting');
      this.reconnectTimer = window.setTimeout(() => this.connect(), this.options.reconnectMs ?? 2000);
    };
  }

  private onControl(control: Control): void {
    if (control.op === 'waiting') return this.options.onState('waiting', control.reason);
    if (control.op === 'unavailable') {
      // The socket closes next (4404); retrying would get the same answer.
      this.refused = true;
      return this.options.onState('unavailable', `${control.reason} (${control.code})`);
    }
    if (control.op !== 'init') return;
    const type = `video/mp4; codecs="${control.codec}"`;
    if (!('MediaSource' in window) || !MediaSource.isTypeSupported(type)) {
      this.options.onState('unsupported', `this browser cannot play ${type}`);
      return;
    }
    // A new init segment (first, or after the encoder restarted) starts a new MediaSource.
    this.resetMedia();
    this.codec = type;
    const source = new MediaSource();
    this.source = source;
    this.options.video.src = URL.createObjectURL(source);
    source.addEventListener('sourceopen', () => {
      if (this.source !== source) return;
      URL.revokeObjectURL(this.options.video.src);
      const buffer = source.addSourceBuffer(this.codec);
      buffer.mode = 'segments';
      buffer.addEventListener('updateend', () => this.afterAppend());
      this.buffer = buffer;
      this.pump();
    });
  }

  private enqueue(bytes: ArrayBuffer): void {
    if (this.source === undefined) return;
    // Bounded: a hidden or stalled tab keeps at most 30 fragments (~6 s). Beyond, it starts over on a new
    // connection (init segment, then a keyframe): fragments are cut between keyframes, so skipping some
    // would leave the decoder without its references.
    if (this.queue.length >= 30) {
      this.options.onState('waiting', 'live view fell behind; reconnecting');
      this.queue = [];
      this.ws?.close();
      return;
    }
    this.queue.push(bytes);
    this.pump();
  }

  private pump(): void {
    const buffer = this.buffer;
    if (buffer === undefined || buffer.updating) return;
    const next = this.queue.shift();
    if (next === undefined) return;
    try {
      buffer.appendBuffer(next);
      this.fragments += 1;
    } catch (error) {
      // QuotaExceeded or a detached buffer: start over from the next init segment.
      this.options.onState('waiting', `live view restarting (${(error as Error).name})`);
      this.ws?.close();
    }
  }

  private afterAppend(): void {
    const video = this.options.video;
    const buffer = this.buffer;
    if (buffer === undefined) return;
    const ranges = buffer.buffered;
    if (ranges.length > 0) {
      const start = ranges.start(0);
      const end = ranges.end(ranges.length - 1);
      if (video.currentTime < start || end - video.currentTime > MAX_DELAY_S)
        video.currentTime = Math.max(start, end - 0.2);
      if (!buffer.updating && video.currentTime - start > KEEP_BEHIND_S * 2)
        buffer.remove(start, video.currentTime - KEEP_BEHIND_S);
      if (video.paused) void video.play().catch(() => undefined);
      this.options.onState('playing');
    }
    this.pump();
  }

  private resetMedia(): void {
    this.queue = [];
    this.buffer = undefined;
    if (this.source !== undefined) {
      this.source = undefined;
      this.options.video.removeAttribute('src');
      this.options.video.load();
    }
  }
}

type Control =
  | { readonly op: 'init'; readonly codec: string; readonly mode: string }
  | { readonly op: 'waiting'; readonly reason: string }
  | { readonly op: 'unavailable'; readonly code: string; readonly reason: string };
