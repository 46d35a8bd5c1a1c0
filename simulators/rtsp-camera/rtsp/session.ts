import { randomBytes, randomInt } from 'node:crypto';
import type { Socket } from 'node:net';
import type { TimedAccessUnit } from '../media/timed-units.js';
import { corruptedCopy } from '../faults.js';
import { rtpPacket } from '../rtp/h264-packetizer.js';
import { senderReport } from '../rtp/rtcp.js';
import type { CameraRuntime } from './camera-runtime.js';

export type SessionTransport =
  | {
      readonly kind: 'tcp';
      readonly socket: Socket;
      readonly rtpChannel: number;
      readonly rtcpChannel: number;
    }
  | { readonly kind: 'udp'; readonly address: string; readonly rtpPort: number; readonly rtcpPort: number };

export interface UdpSender {
  sendRtp(packet: Buffer, port: number, address: string): void;
  sendRtcp(packet: Buffer, port: number, address: string): void;
}

export interface SessionOptions {
  readonly camera: CameraRuntime;
  readonly transport: SessionTransport;
  readonly udp: UdpSender;
  readonly senderReportIntervalMs: number;
  /** Ends the client's connection (dropAfterMs fault). */
  readonly dropConnection: () => void;
  readonly log: (line: string) => void;
}

export const payloadType = 96;
// Beyond this much unsent data a TCP client is too slow: drop until the next IDR instead of buffering.
const maxQueuedBytes = 4 * 1024 * 1024;

/** One client's playback of one camera: RTP sequence/SSRC state, faults applied on the way out. */
export class RtspSession {
  readonly id = randomBytes(8).toString('hex');
  readonly ssrc = randomInt(1, 2 ** 32 - 1);
  state: 'ready' | 'playing' = 'ready';
  lastActivityMs = Date.now();
  droppedPackets = 0;
  private sequence = randomInt(0, 0x10000);
  private packetCount = 0;
  private octetCount = 0;
  private waitingForKeyframe = true;
  private notBeforeMs = 0;
  private unsubscribe: (() => void) | undefined;
  private reportTimer: NodeJS.Timeout | undefined;
  private dropTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: SessionOptions) {}

  get camera(): CameraRuntime {
    return this.options.camera;
  }

  get transport(): SessionTransport {
    return this.options.transport;
  }

  /** What RTP-Info announces: the sequence number and RTP time the stream starts from. */
  playStart(): { sequence: number; rtpTimestamp: number } {
    return { sequence: this.sequence & 0xffff, rtpTimestamp: this.camera.feed.rtpTimestampAt(Date.now()) };
  }

  play(): void {
    if (this.closed || this.state === 'playing') return;
    this.state = 'playing';
    this.waitingForKeyframe = true;
    const faults = this.camera.faults;
    this.notBeforeMs = Date.now() + (faults.slowStartMs ?? 0);
    this.unsubscribe = this.camera.feed.subscribe((unit) => this.send(unit));
    this.reportTimer = setInterval(() => this.sendReport(), this.options.senderReportIntervalMs);
    if (faults.dropAfterMs !== undefined) {
      this.dropTimer = setTimeout(() => {
        this.options.log(`camera ${this.camera.spec.name}: dropping session ${this.id} (dropAfterMs fault)`);
        this.options.dropConnection();
      }, faults.dropAfterMs);
    }
  }

  pause(): void {
    this.state = 'ready';
    this.stopTimers();
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pause();
  }

  private stopTimers(): void {
    clearInterval(this.reportTimer);
    clearTimeout(this.dropTimer);
    this.reportTimer = undefined;
    this.dropTimer = undefined;
  }

  private send(unit: TimedAccessUnit): void {
    if (this.camera.faults.stall === true || Date.now() < this.notBeforeMs) {
      this.waitingForKeyframe = true;
      return;
    }
    if (this.waitingForKeyframe && !unit.isKeyframe) return;
    const transport = this.transport;
    if (transport.kind === 'tcp' && transport.socket.writableLength > maxQueuedBytes) {
      if (!this.waitingForKeyframe) {
        this.options.log(
          `camera ${this.camera.spec.name}: session ${this.id} reads too slowly, skipping to the next IDR`,
        );
      }
      this.droppedPackets += unit.payloads.length;
      this.waitingForKeyframe = true;
      return;
    }
    const first = this.packetCount === 0;
    this.waitingForKeyframe = false;
    for (const { payload, marker } of unit.payloads) {
      const sequence = this.sequence++ & 0xffff;
      const verdict = this.camera.packetFaults.verdict(payload.length);
      if (verdict.kind === 'drop') continue;
      const body = verdict.kind === 'corrupt' ? corruptedCopy(payload, verdict.byteIndex) : payload;
      const packet = rtpPacket(
        { payloadType, marker, sequence, timestamp: unit.rtpTimestamp, ssrc: this.ssrc },
        body,
      );
      this.write(packet, 'rtp');
      this.packetCount++;
      this.octetCount += body.length;
    }
    if (first && this.packetCount > 0) this.sendReport();
  }

  private sendReport(): void {
    if (this.packetCount === 0 || this.camera.faults.stall === true) return;
    const now = Date.now();
    const report = senderReport({
      ssrc: this.ssrc,
      wallClockMs: now,
      rtpTimestamp: this.camera.feed.rtpTimestampAt(now),
      packetCount: this.packetCount,
      octetCount: this.octetCount,
      cname: `tsn-simulate-${this.camera.spec.name}`,
    });
    this.write(report, 'rtcp');
  }

  private write(packet: Buffer, kind: 'rtp' | 'rtcp'): void {
    const transport = this.transport;
    if (transport.kind === 'udp') {
      if (kind === 'rtp') this.options.udp.sendRtp(packet, transport.rtpPort, transport.address);
      else this.options.udp.sendRtcp(packet, transport.rtcpPort, transport.address);
      return;
    }
    if (transport.socket.destroyed || !transport.socket.writable) return;
    const frame = Buffer.allocUnsafe(4);
    frame[0] = 0x24;
    frame[1] = kind === 'rtp' ? transport.rtpChannel : transport.rtcpChannel;
    frame.writeUInt16BE(packet.length, 2);
    transport.socket.write(Buffer.concat([frame, packet]));
  }
}
