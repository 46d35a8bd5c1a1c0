// decode: picked. Two ffmpegs that the supervisor sees as one process: a demuxer copying the camera's
// video into MPEG-TS (no decoding), and a decoder fed only the access units the DecodeGate passes, which
// writes rgb24 frames like any camera's ffmpeg (on the gate's shifted timeline). The relay in between is
// the only new work in the service: 188-byte packets, a verdict per access unit, the continuity
// counters rewritten so the decoder's demuxer does not take dropped units for loss. Each pipe write
// wakes the decoder, so the relay writes little and seldom: a run of forwarded packets goes as one
// view of the demuxer's chunk, and the muxer's table repeats (PAT/PMT ten times a second) only when
// they change.
import { DecodeGate, type DecodeGateOptions, type DecodeGateStats } from './decode-gate.js';
import { FfmpegProcess, type FfmpegProcessHandlers } from './ffmpeg-process.js';
import { relayVideoPid } from './ingest-args.js';
import {
  readTsPacket,
  samePacketButContinuity,
  setContinuityCounter,
  TS_PACKET_BYTES,
  unwrapPts,
} from './mpegts.js';

export interface RelayIngestOptions {
  readonly ffmpegPath: string;
  readonly demuxArgs: readonly string[];
  /** The decoder's argv for the timestamp shift the gate chose (buildRelayDecoderArgs). */
  readonly decoderArgs: (ptsShiftSeconds: number) => readonly string[];
  readonly gate: DecodeGateOptions;
}

type CloseResult = Parameters<FfmpegProcessHandlers['onClose']>[0];

const NOTHING = Buffer.alloc(0);

export class RelayIngest {
  private readonly demuxer: FfmpegProcess;
  private decoder: FfmpegProcess | undefined;
  private readonly gate: DecodeGate;
  private remainder: Buffer = NOTHING;
  /** The latest PAT/PMT/SDT packets: the decoder's demuxer needs them before the first keyframe. */
  private readonly tables = new Map<number, Buffer>();
  /** Continuity counter per PID of what the decoder got. */
  private readonly continuity = new Map<number, number>();
  private forwardingUnit = false;
  private lastPts: number | undefined;
  private firstClose: CloseResult | undefined;
  private closedCount = 0;
  private killing: Promise<void> | undefined;

  constructor(
    private readonly options: RelayIngestOptions,
    private readonly handlers: FfmpegProcessHandlers,
  ) {
    this.gate = new DecodeGate(options.gate);
    this.demuxer = new FfmpegProcess(options.ffmpegPath, options.demuxArgs, {
      onStdout: (chunk) => this.onDemuxed(chunk),
      onStderr: (text) => handlers.onStderr(text),
      onClose: (result) => this.onDemuxerClosed(result),
    });
  }

  get pid(): number | undefined {
    return this.demuxer.pid;
  }

  gateStats(): DecodeGateStats {
    return this.gate.stats();
  }

  /** Both processes: SIGTERM, SIGKILL after graceMs; resolves once both are gone. */
  kill(graceMs: number): Promise<void> {
    this.killing ??= Promise.all([
      this.demuxer.kill(graceMs),
      this.decoder?.kill(graceMs) ?? Promise.resolve(),
    ]).then(() => undefined);
    return this.killing;
  }

  private onDemuxed(chunk: Buffer): void {
    const data = this.remainder.length > 0 ? Buffer.concat([this.remainder, chunk]) : chunk;
    const whole = data.length - (data.length % TS_PACKET_BYTES);
    const out: Buffer[] = [];
    for (let at = 0; at < whole; at += TS_PACKET_BYTES) {
      const packet = data.subarray(at, at + TS_PACKET_BYTES);
      if (!this.relayPacket(packet, out)) return this.lostSync();
    }
    this.remainder = whole === data.length ? NOTHING : Buffer.from(data.subarray(whole));
    if (out.length > 0) this.write(out.length === 1 ? out[0]! : Buffer.concat(out));
  }

  /** Appends what the decoder gets of this packet to `out`; false when the stream lost its framing. */
  private relayPacket(packet: Buffer, out: Buffer[]): boolean {
    const header = readTsPacket(packet);
    if (header === undefined) return false;
    if (header.pid !== relayVideoPid) {
      const last = this.tables.get(header.pid);
      if (last !== undefined && samePacketButContinuity(last, packet)) return true;
      this.tables.set(header.pid, Buffer.from(packet));
      if (this.decoder !== undefined) this.forward(header.pid, header.hasPayload, packet, out);
      return true;
    }
    if (header.unitStart) {
      const pts = header.pts90k === undefined ? this.lastPts : unwrapPts(header.pts90k, this.lastPts);
      this.lastPts = pts;
      this.forwardingUnit = pts !== undefined && this.gate.accessUnit(pts, header.randomAccess) === 'forward';
    }
    if (!this.forwardingUnit) return true;
    if (this.decoder === undefined) {
      if (this.killing !== undefined) return true; // no decoder for a connection being given up
      this.startDecoder(out);
    }
    this.forward(header.pid, header.hasPayload, packet, out);
    return true;
  }

  /**
   * Appends the packet with the PID's next continuity counter; a packet that follows the last one in
   * the same chunk extends its view instead of adding a piece.
   */
  private forward(pid: number, hasPayload: boolean, packet: Buffer, out: Buffer[]): void {
    const counter = ((this.continuity.get(pid) ?? 15) + (hasPayload ? 1 : 0)) & 0x0f;
    this.continuity.set(pid, counter);
    setContinuityCounter(packet, counter);
    const last = out.at(-1);
    if (last?.buffer === packet.buffer && last.byteOffset + last.length === packet.byteOffset) {
      out[out.length - 1] = Buffer.from(last.buffer, last.byteOffset, last.length + packet.length);
    } else {
      out.push(packet);
    }
  }

  /** At the first forwarded unit (a keyframe): the decoder starts on the timeline the gate chose. */
  private startDecoder(out: Buffer[]): void {
    this.decoder = new FfmpegProcess(
      this.options.ffmpegPath,
      this.options.decoderArgs(this.gate.decoderPtsShiftSeconds),
      {
        onStdout: (chunk) => this.handlers.onStdout(chunk),
        onStderr: (text) => this.handlers.onStderr(text),
        onClose: (result) => this.onDecoderClosed(result),
      },
      { stdin: true },
    );
    for (const [pid, table] of this.tables) this.forward(pid, true, table, out);
  }

  private write(data: Buffer): void {
    const stdin = this.decoder?.stdin;
    if (stdin === undefined) return;
    if (stdin.write(data)) return;
    // The decoder is behind: stop reading the demuxer until it drained (the demuxer then blocks).
    this.demuxer.pauseStdout();
    stdin.once('drain', () => this.demuxer.resumeStdout());
  }

  private lostSync(): void {
    this.handlers.onStderr('[error] tsn: the demuxer output lost MPEG-TS sync; restarting the connection\n');
    void this.kill(0);
  }

  /** The demuxer ended (camera gone, file over): the decoder finishes what it has, then exits. */
  private onDemuxerClosed(result: CloseResult): void {
    this.decoder?.stdin?.end();
    this.closed(result);
  }

  /** The decoder ended on its own: nothing would read the demuxer any more. */
  private onDecoderClosed(result: CloseResult): void {
    void this.demuxer.kill(0);
    this.closed(result);
  }

  /** Reports once both are gone (the decoder may never have started), with the first one's result. */
  private closed(result: CloseResult): void {
    this.firstClose ??= result;
    this.closedCount += 1;
    const expected = this.decoder === undefined ? 1 : 2;
    if (this.closedCount >= expected) this.handlers.onClose(this.firstClose);
  }
}
