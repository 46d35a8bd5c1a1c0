// The werift side of one WHIP session: answers the publisher's offer with a receive-only video
// transceiver, hands on RTP packets of the video track, sends PLIs on request, and reports the end of
// the connection. Everything about frames and decoding lives elsewhere.
import {
  RTCPeerConnection,
  useH264,
  useOPUS,
  usePCMU,
  useVP8,
  type MediaStreamTrack,
  type RTCRtpTransceiver,
  type RtpPacket,
} from 'werift';
import { TsnError } from '../../errors/index.js';
import type { VideoCodec } from './ivf.js';

export interface WhipIceOptions {
  /**
   * Host addresses offered as ICE candidates besides the machine's interfaces (werift skips loopback
   * interfaces, so 127.0.0.1 is listed here: publishers on the same host, and the tests, connect over it).
   */
  readonly additionalHostAddresses: readonly string[];
  /** UDP port range for ICE sockets (firewalls, containers); absent = any port. */
  readonly portRange?: readonly [number, number];
  /** Offer IPv6 host candidates too (default false). */
  readonly useIpv6?: boolean;
  /** How long the answer waits for ICE gathering (the answer carries every candidate: no trickle). */
  readonly gatherTimeoutMs: number;
}

export interface WhipPeerHandlers {
  onRtp(packet: RtpPacket, codec: VideoCodec): void;
  /** ICE or DTLS failed or closed: the publisher is gone. Called at most once, never after close(). */
  onConnectionLost(reason: string): void;
  /** The connection is up (DTLS done). */
  onConnected?(): void;
}

export interface WhipPeer {
  readonly answerSdp: string;
  requestKeyframe(): void;
  close(): Promise<void>;
}

export async function answerWhipOffer(
  offerSdp: string,
  ice: WhipIceOptions,
  handlers: WhipPeerHandlers,
): Promise<WhipPeer> {
  const pc = new RTCPeerConnection({
    // Audio is answered (WHIP encoders such as OBS offer it, and an m-line without a common codec
    // fails the whole negotiation) but never decoded.
    codecs: { audio: [useOPUS(), usePCMU()], video: [useH264(), useVP8()] },
    iceServers: [],
    iceUseIpv4: true,
    iceUseIpv6: ice.useIpv6 ?? false,
    iceAdditionalHostAddresses: [...ice.additionalHostAddresses],
    ...(ice.portRange === undefined
      ? {}
      : { icePortRange: [ice.portRange[0], ice.portRange[1]] as [number, number] }),
  });
  const peer = new WeriftPeer(pc, handlers);
  try {
    const transceiver = pc.addTransceiver('video', { direction: 'recvonly' });
    peer.watch(transceiver);
    await pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
    await pc.setLocalDescription(await pc.createAnswer());
    await gathered(pc, ice.gatherTimeoutMs);
    const sdp = pc.localDescription?.sdp;
    if (sdp === undefined) throw new Error('no local description after ICE gathering');
    peer.answerSdp = sdp;
    return peer;
  } catch (error) {
    await peer.close();
    if (error instanceof TsnError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    if (/negotiate codecs failed/.test(message)) {
      throw new TsnError(
        'E_WHIP_SDP',
        'an m-line of the offer has no codec in common with the service (video: H264, VP8; audio: opus, PCMU)',
        { cause: error },
      );
    }
    throw new TsnError('E_WHIP_NEGOTIATION', `cannot answer the WHIP offer: ${message}`, { cause: error });
  }
}

class WeriftPeer implements WhipPeer {
  answerSdp = '';
  private track: MediaStreamTrack | undefined;
  private transceiver: RTCRtpTransceiver | undefined;
  private closed = false;
  private lost = false;
  private readonly codecByPayloadType = new Map<number, VideoCodec>();

  constructor(
    private readonly pc: RTCPeerConnection,
    private readonly handlers: WhipPeerHandlers,
  ) {
    pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected') handlers.onConnected?.();
      if (state === 'failed' || state === 'closed') this.connectionLost(`peer connection ${state}`);
    });
  }

  watch(transceiver: RTCRtpTransceiver): void {
    this.transceiver = transceiver;
    transceiver.onTrack.subscribe((track) => {
      if (this.track !== undefined) return;
      this.track = track;
      track.onReceiveRtp.subscribe((rtp) => this.onRtp(rtp));
    });
  }

  requestKeyframe(): void {
    const ssrc = this.track?.ssrc;
    if (this.closed || ssrc === undefined) return;
    this.transceiver?.receiver.sendRtcpPLI(ssrc).catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pc.close().catch(() => undefined);
  }

  private onRtp(rtp: RtpPacket): void {
    if (this.closed) return;
    const codec = this.codecOf(rtp.header.payloadType);
    if (codec !== undefined) this.handlers.onRtp(rtp, codec);
  }

  /** Negotiated payload types are known once the remote description is set; looked up lazily. */
  private codecOf(payloadType: number): VideoCodec | undefined {
    if (this.codecByPayloadType.size === 0) {
      for (const codec of this.transceiver?.codecs ?? []) {
        const name = codec.mimeType.toLowerCase();
        if (codec.payloadType === undefined) continue;
        if (name === 'video/h264') this.codecByPayloadType.set(codec.payloadType, 'h264');
        if (name === 'video/vp8') this.codecByPayloadType.set(codec.payloadType, 'vp8');
      }
    }
    return this.codecByPayloadType.get(payloadType);
  }

  private connectionLost(reason: string): void {
    if (this.closed || this.lost) return;
    this.lost = true;
    this.handlers.onConnectionLost(reason);
  }
}

function gathered(pc: RTCPeerConnection, timeoutMs: number): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      subscription.unSubscribe();
      reject(new TsnError('E_WHIP_NEGOTIATION', `ICE gathering did not complete within ${timeoutMs} ms`));
    }, timeoutMs);
    const subscription = pc.iceGatheringStateChange.subscribe((state) => {
      if (state !== 'complete') return;
      clearTimeout(timer);
      subscription.unSubscribe();
      resolve();
    });
  });
}
