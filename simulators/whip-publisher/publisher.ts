// A WHIP publisher in Node (werift): plays a video file as a WebRTC camera. ffmpeg encodes the file
// (looped, real time) to H.264 Annex B or VP8 in IVF; we cut it into frames, packetize them into RTP and
// send them over a sendonly track to the endpoint's peer connection.
import { spawn, type ChildProcess } from 'node:child_process';
import {
  MediaStreamTrack,
  RTCPeerConnection,
  RtpHeader,
  RtpPacket,
  useH264,
  useOPUS,
  useVP8,
  type RTCRtpTransceiver,
} from 'werift';
import { TsnError } from '../../src/errors/index.js';
import { AccessUnitGrouper } from '../rtsp-camera/h264/access-units.js';
import { AnnexBSplitter, NalType, nalType } from '../rtsp-camera/h264/annexb.js';
import { packetizeAccessUnit, type RtpPayload } from '../rtsp-camera/rtp/h264-packetizer.js';
import { buildEncoderArgs, type PublisherCodec } from './encoder-args.js';
import { IvfReader } from './ivf-reader.js';
import { packetizeVp8Frame } from './vp8-packetizer.js';

export interface WhipPublisherOptions {
  /** The WHIP endpoint, e.g. http://127.0.0.1:8080/v1/whip/cam1. */
  readonly url: string;
  readonly file: string;
  readonly codec?: PublisherCodec;
  /** Sent as Authorization: Bearer <token>. */
  readonly token?: string;
  readonly ffmpegPath?: string;
  readonly fps?: number;
  /** Encode at this height (width follows); absent: the file's size. */
  readonly height?: number;
  /** POST with ?replace=1 (take the camera over from another publisher). */
  readonly replace?: boolean;
  /** Host candidates besides the interfaces (default ['127.0.0.1']). */
  readonly iceHostAddresses?: readonly string[];
  /** Give up when the connection is not up this long after the answer (default 10 000). */
  readonly connectTimeoutMs?: number;
  /** Also offer an (unused) opus audio track, as WHIP encoders like OBS do. */
  readonly offerAudio?: boolean;
  /** Fault injection: every Nth RTP packet is not sent (simulated network loss). */
  readonly dropEveryNthPacket?: number;
}

export interface WhipPublisherStats {
  readonly framesSent: number;
  readonly packetsSent: number;
  readonly keyframeRequests: number;
  /** Packets withheld by dropEveryNthPacket. */
  readonly packetsDropped: number;
}

export interface WhipPublisher {
  /** The session's URL (the Location of the 201). */
  readonly location: string;
  readonly codec: PublisherCodec;
  stats(): WhipPublisherStats;
  /** Ends the session properly: DELETE, then the connection and the encoder. Idempotent. */
  close(): Promise<void>;
  /** Leaves without DELETE, as a camera that loses power would: connection and encoder stop. */
  drop(): Promise<void>;
}

const maxRtpPayloadBytes = 1100;

/** Throws TsnError E_WHIP_PUBLISH (context.status = the HTTP status, context.code = the server's code). */
export async function startWhipPublisher(options: WhipPublisherOptions): Promise<WhipPublisher> {
  const codec = options.codec ?? 'h264';
  const pc = new RTCPeerConnection({
    codecs: { audio: [useOPUS()], video: [codec === 'h264' ? useH264() : useVP8()] },
    iceServers: [],
    // One transport for every m-line, as browsers do.
    bundlePolicy: 'max-bundle',
    iceUseIpv6: false,
    iceAdditionalHostAddresses: [...(options.iceHostAddresses ?? ['127.0.0.1'])],
  });
  try {
    if (options.offerAudio === true) pc.addTransceiver('audio', { direction: 'sendonly' });
    const track = new MediaStreamTrack({ kind: 'video' });
    const transceiver = pc.addTransceiver(track, { direction: 'sendonly' });
    await pc.setLocalDescription(await pc.createOffer());
    await waitFor(
      pc.iceGatheringStateChange,
      (s) => s === 'complete',
      pc.iceGatheringState === 'complete',
      5_000,
    );
    const { location, answer } = await postOffer(options, pc.localDescription?.sdp ?? '');
    await pc.setRemoteDescription({ type: 'answer', sdp: answer });
    await waitFor(
      pc.connectionStateChange,
      (s) => s === 'connected',
      pc.connectionState === 'connected',
      options.connectTimeoutMs ?? 10_000,
    );
    return new RunningPublisher(pc, track, transceiver, location, codec, options);
  } catch (error) {
    await pc.close().catch(() => undefined);
    if (error instanceof TsnError) throw error;
    throw new TsnError(
      'E_WHIP_PUBLISH',
      `cannot publish to ${options.url}: ${String((error as Error)?.message ?? error)}`,
      {
        cause: error,
        context: { url: options.url },
      },
    );
  }
}

async function postOffer(
  options: WhipPublisherOptions,
  sdp: string,
): Promise<{ location: string; answer: string }> {
  const headers: Record<string, string> = { 'content-type': 'application/sdp' };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  const url = options.replace === true ? `${options.url}?replace=1` : options.url;
  const response = await fetch(url, { method: 'POST', headers, body: sdp });
  const body = await response.text();
  if (response.status !== 201) {
    let code: string | undefined;
    let message = body;
    try {
      const parsed = JSON.parse(body) as { error?: { code?: string; message?: string } };
      code = parsed.error?.code;
      message = parsed.error?.message ?? body;
    } catch {
      // not JSON: keep the text
    }
    throw new TsnError(
      'E_WHIP_PUBLISH',
      `WHIP endpoint ${options.url} answered ${response.status}: ${message}`,
      {
        context: { url: options.url, status: response.status, code },
      },
    );
  }
  const location = response.headers.get('location');
  if (location === null)
    throw new TsnError('E_WHIP_PUBLISH', `WHIP endpoint ${options.url} sent no Location header`);
  return { location: new URL(location, options.url).href, answer: body };
}

class RunningPublisher implements WhipPublisher {
  private readonly encoder: ChildProcess;
  private readonly encoderClosed: Promise<void>;
  private sequence = Math.floor(Math.random() * 0xffff);
  private counters = { framesSent: 0, packetsSent: 0, keyframeRequests: 0, packetsDropped: 0 };
  private packetIndex = 0;
  private ending: Promise<void> | undefined;

  constructor(
    private readonly pc: RTCPeerConnection,
    private readonly track: MediaStreamTrack,
    transceiver: RTCRtpTransceiver,
    readonly location: string,
    readonly codec: PublisherCodec,
    private readonly options: WhipPublisherOptions,
  ) {
    transceiver.sender.onRtcp.subscribe((rtcp) => {
      // PSFB (206) carries PLI; the encoder's one-second GOP answers it soon enough.
      if (rtcp.type === 206) this.counters.keyframeRequests += 1;
    });
    const fps = options.fps ?? 25;
    const args = buildEncoderArgs({
      file: options.file,
      codec,
      fps,
      ...(options.height === undefined ? {} : { height: options.height }),
    });
    this.encoder = spawn(options.ffmpegPath ?? 'ffmpeg', args, { stdio: ['ignore', 'pipe', 'ignore'] });
    this.encoderClosed = new Promise((resolve) => this.encoder.once('close', () => resolve()));
    this.encoder.on('error', () => undefined);
    const onFrame = codec === 'h264' ? this.h264Framer(fps) : this.vp8Framer();
    this.encoder.stdout?.on('data', onFrame);
  }

  stats(): WhipPublisherStats {
    return { ...this.counters };
  }

  close(): Promise<void> {
    this.ending ??= (async () => {
      const headers: Record<string, string> = {};
      if (this.options.token !== undefined) headers.authorization = `Bearer ${this.options.token}`;
      await fetch(this.location, { method: 'DELETE', headers }).catch(() => undefined);
      await this.stop();
    })();
    return this.ending;
  }

  drop(): Promise<void> {
    this.ending ??= this.stop();
    return this.ending;
  }

  private async stop(): Promise<void> {
    this.encoder.stdout?.removeAllListeners('data');
    if (this.encoder.exitCode === null && this.encoder.signalCode === null) this.encoder.kill('SIGKILL');
    await Promise.all([this.encoderClosed, this.pc.close().catch(() => undefined)]);
  }

  private h264Framer(fps: number): (chunk: Buffer) => void {
    const splitter = new AnnexBSplitter();
    const grouper = new AccessUnitGrouper();
    let index = 0;
    return (chunk) => {
      for (const nal of splitter.push(chunk)) {
        const unit = grouper.push(nal);
        if (unit === undefined) continue;
        const nals = unit.nals.filter((n) => nalType(n) !== NalType.aud);
        this.send(packetizeAccessUnit(nals, maxRtpPayloadBytes), Math.round((index * 90_000) / fps));
        index += 1;
      }
    };
  }

  private vp8Framer(): (chunk: Buffer) => void {
    const reader = new IvfReader();
    return (chunk) => {
      for (const frame of reader.push(chunk)) {
        const tb = reader.timeBase ?? { num: 1, den: 90_000 };
        this.send(
          packetizeVp8Frame(frame.data, maxRtpPayloadBytes),
          Math.round((frame.pts * 90_000 * tb.num) / tb.den),
        );
      }
    };
  }

  private send(payloads: readonly RtpPayload[], timestamp: number): void {
    for (const { payload, marker } of payloads) {
      this.sequence = (this.sequence + 1) & 0xffff;
      this.packetIndex += 1;
      const every = this.options.dropEveryNthPacket;
      if (every !== undefined && every > 0 && this.packetIndex % every === 0) {
        this.counters.packetsDropped += 1;
        continue;
      }
      const header = new RtpHeader({
        sequenceNumber: this.sequence,
        timestamp: timestamp >>> 0,
        marker,
        payloadType: 96,
      });
      this.track.writeRtp(new RtpPacket(header, payload));
      this.counters.packetsSent += 1;
    }
    this.counters.framesSent += 1;
  }
}

function waitFor<T>(
  event: { subscribe(fn: (value: T) => void): { unSubscribe(): void } },
  done: (value: T) => boolean,
  already: boolean,
  timeoutMs: number,
): Promise<void> {
  if (already) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      subscription.unSubscribe();
      reject(new Error(`timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    const subscription = event.subscribe((value) => {
      if (!done(value)) return;
      clearTimeout(timer);
      subscription.unSubscribe();
      resolve();
    });
  });
}
