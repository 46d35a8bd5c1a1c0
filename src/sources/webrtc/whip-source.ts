// A camera fed by WHIP publishers (one at a time): the same CameraSource contract, frames and statuses
// as an RTSP camera, so the segmenter, batcher and events treat it alike. The service cannot dial a
// publisher: between publishers the camera waits ('connecting' / 'backoff', see whip-lifecycle.ts).
import { randomUUID } from 'node:crypto';
import type { Observable } from 'rxjs';
import type { CameraFault, CameraStatus, Frame } from '../../domain/index.js';
import { TsnError } from '../../errors/index.js';
import type { CameraSourceDeps, SupervisedCameraSource, SourceStats } from '../camera-source.js';
import { LineRing } from '../line-ring.js';
import { resolveSourceSettings, type OutputGeometry, type ResolvedSourceSettings } from '../options.js';
import { shellDepsOf, SourceShell } from '../source-shell.js';
import { classifyExit } from '../stderr-classifier.js';
import { IvfDecoder, type IvfDecoderHandlers, type IvfDecoderOptions } from './ivf-decoder.js';
import type { VideoCodec } from './ivf.js';
import { checkWhipOffer } from './sdp-offer.js';
import { WhipLifecycle, type WhipAction } from './whip-lifecycle.js';
import {
  WhipSession,
  type WhipDecoder,
  type WhipSessionOptions,
  type WhipSessionStats,
} from './whip-session.js';
import { buildWhipIngestArgs } from './whip-ingest-args.js';
import type { WhipIceOptions } from './whip-peer.js';

/** A publisher's session as the source drives it (WhipSession; a fake peer in virtual-time tests). */
export interface WhipSessionLike {
  readonly id: string;
  readonly answerSdp: string;
  readonly stats: WhipSessionStats;
  decoder: WhipDecoder | undefined;
  negotiate(offerSdp: string): Promise<void>;
  close(killGraceMs: number): Promise<void>;
  decoderSawLoss(): void;
}

export interface WhipSourceDeps extends CameraSourceDeps {
  /** Default: a real WebRTC peer (WhipSession). */
  readonly createSession?: (id: string, options: WhipSessionOptions) => WhipSessionLike;
  /** Default: a real ffmpeg fed IVF on stdin (IvfDecoder). */
  readonly createDecoder?: (options: IvfDecoderOptions, handlers: IvfDecoderHandlers) => WhipDecoder;
}

export interface WhipSourceOptions {
  readonly id: string;
  readonly sampleFps: number;
  readonly output?: OutputGeometry;
  /** A publisher that sends no decodable frame for this long is dropped (default 10 000). */
  readonly stallTimeoutMs?: number;
  /** A publisher whose first frame is not decoded this long after its offer is dropped (default 15 000). */
  readonly connectTimeoutMs?: number;
  readonly killGraceMs?: number;
  readonly stderrLines?: number;
  readonly ice?: Partial<WhipIceOptions>;
  /** Encoded bytes that may queue for ffmpeg before frames are dropped (default 8 MiB). */
  readonly maxPendingBytes?: number;
  /** Least time between two keyframe requests (PLI) to the publisher (default 500). */
  readonly keyframeRequestIntervalMs?: number;
}

export interface WhipPublishResult {
  readonly sessionId: string;
  readonly answerSdp: string;
}

/** What the WHIP HTTP endpoint needs from a camera. */
export interface WhipEndpoint {
  /** Throws E_WHIP_SDP, E_WHIP_BUSY (a publisher is on and !replace), E_WHIP_NEGOTIATION, E_WHIP_NOT_FOUND. */
  publish(offerSdp: string, options: { readonly replace: boolean }): Promise<WhipPublishResult>;
  /** Ends a session (DELETE); false when no such session is live. */
  end(sessionId: string): Promise<boolean>;
}

/** SourceStats plus WHIP's own counters, summed over every publisher session of the camera. */
export interface WhipSourceStats extends SourceStats, WhipSessionStats {
  /** Publisher sessions accepted. */
  readonly sessions: number;
}

export interface WhipCameraSource extends SupervisedCameraSource, WhipEndpoint {
  stats(): WhipSourceStats;
}

export const defaultWhipIce: WhipIceOptions = Object.freeze({
  additionalHostAddresses: Object.freeze(['127.0.0.1']),
  gatherTimeoutMs: 3_000,
});

/** ffmpeg's complaints about a damaged picture (h264: concealment, missing references; vp8: corrupt frames). */
const decodeErrorPattern =
  /error while decoding|concealing|corrupt|no frame!|Missing reference|decode_slice_header error/i;

/** Throws E_SOURCE_OPTIONS on out-of-range options (the same checks and defaults as every source). */
export function createWhipCameraSource(options: WhipSourceOptions, deps: WhipSourceDeps): WhipCameraSource {
  // WhipSourceOptions is a subset of SourceSettings plus WHIP's own keys, which the resolver ignores.
  const resolved = resolveSourceSettings(options, 'url');
  return new WhipSource(resolved, options, deps);
}

class WhipSource implements WhipCameraSource {
  readonly cameraId: string;
  readonly frames$: Observable<Frame>;
  readonly status$: Observable<CameraStatus>;
  private readonly shell: SourceShell<WhipAction>;
  private readonly lifecycle: WhipLifecycle;
  private readonly output: Required<OutputGeometry>;
  private readonly stderr: LineRing;
  private readonly args: readonly string[];
  private readonly ice: WhipIceOptions;
  private session: WhipSessionLike | undefined;
  private negotiating = false;
  private readonly teardowns = new Set<Promise<void>>();
  private counters = { spawns: 0, sessions: 0 };
  private pastSessions: WhipSessionStats = { keyframeRequests: 0, packetsLost: 0, encodedFramesDropped: 0 };
  private closing: Promise<void> | undefined;

  constructor(
    private readonly resolved: ResolvedSourceSettings,
    private readonly options: WhipSourceOptions,
    private readonly deps: WhipSourceDeps,
  ) {
    this.cameraId = resolved.id;
    this.output = resolved.output;
    this.stderr = new LineRing(resolved.stderrLines);
    this.ice = { ...defaultWhipIce, ...options.ice };
    this.lifecycle = new WhipLifecycle({
      stallTimeoutMs: resolved.stallTimeoutMs,
      connectTimeoutMs: resolved.connectTimeoutMs,
    });
    this.args = buildWhipIngestArgs({
      sampleFps: options.sampleFps,
      output: this.output,
      ...(deps.capabilities === undefined ? {} : { capabilities: deps.capabilities }),
    });
    this.shell = new SourceShell<WhipAction>({
      cameraId: resolved.id,
      output: this.output,
      sampleFps: options.sampleFps,
      machine: this.lifecycle,
      perform: (action) => this.perform(action),
      faultMessage: 'WHIP camera waiting for a publisher',
      ...shellDepsOf(deps),
    });
    this.frames$ = this.shell.frames$;
    this.status$ = this.shell.status$;
  }

  private get now(): () => number {
    return this.shell.now;
  }

  start(): void {
    if (this.closing !== undefined) return;
    this.shell.apply(this.lifecycle.start(this.now()));
  }

  async publish(offerSdp: string, options: { readonly replace: boolean }): Promise<WhipPublishResult> {
    const context = { camera: this.cameraId };
    if (this.closing !== undefined || this.lifecycle.isStopped) throw gone(this.cameraId);
    checkWhipOffer(offerSdp, this.cameraId);
    if ((this.session !== undefined || this.negotiating) && !options.replace) {
      throw new TsnError(
        'E_WHIP_BUSY',
        `camera ${this.cameraId} already has a publisher; DELETE its session first, or POST with ?replace=1`,
        { context },
      );
    }
    this.negotiating = true;
    try {
      const sessionId = randomUUID();
      const sessionOptions: WhipSessionOptions = {
        ice: this.ice,
        keyframeRequestIntervalMs: this.options.keyframeRequestIntervalMs ?? 500,
        now: this.now,
        onFrame: (data, pts, codec) => this.onEncodedFrame(session, data, pts, codec),
        onLost: (reason) =>
          this.lose(sessionId, { kind: 'exited', message: `the publisher's connection ended (${reason})` }),
      };
      const session: WhipSessionLike =
        this.deps.createSession?.(sessionId, sessionOptions) ?? new WhipSession(sessionId, sessionOptions);
      await session.negotiate(offerSdp);
      if (this.closing !== undefined) {
        await session.close(0);
        throw gone(this.cameraId);
      }
      const previous = this.session;
      if (previous !== undefined) {
        this.deps.logger?.info({ camera: this.cameraId, session: previous.id }, 'WHIP publisher replaced');
        void this.teardown(previous);
        this.shell.apply(this.lifecycle.left(this.now(), previous.id, undefined));
      }
      this.session = session;
      this.counters.sessions += 1;
      this.shell.connectionStarted();
      this.deps.logger?.info({ camera: this.cameraId, session: sessionId }, 'WHIP publisher joined');
      this.shell.apply(this.lifecycle.joined(this.now(), sessionId));
      return { sessionId, answerSdp: session.answerSdp };
    } finally {
      this.negotiating = false;
    }
  }

  async end(sessionId: string): Promise<boolean> {
    const session = this.session;
    if (session === undefined || session.id !== sessionId) return false;
    this.deps.logger?.info({ camera: this.cameraId, session: sessionId }, 'WHIP publisher left (DELETE)');
    const done = this.teardown(session);
    this.shell.apply(this.lifecycle.left(this.now(), sessionId, undefined));
    await done;
    return true;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.shell.apply(this.lifecycle.stop(this.now()));
      await Promise.all([...this.teardowns]);
      this.shell.complete();
    })();
    return this.closing;
  }

  stats(): WhipSourceStats {
    const live = this.session?.stats;
    const past = this.pastSessions;
    return {
      spawns: this.counters.spawns,
      frames: this.shell.framesDelivered,
      partialBytesDropped: this.shell.partialBytesDropped,
      sessions: this.counters.sessions,
      pid: this.session?.decoder?.pid,
      keyframeRequests: past.keyframeRequests + (live?.keyframeRequests ?? 0),
      packetsLost: past.packetsLost + (live?.packetsLost ?? 0),
      encodedFramesDropped: past.encodedFramesDropped + (live?.encodedFramesDropped ?? 0),
    };
  }

  private onEncodedFrame(session: WhipSessionLike, data: Buffer, pts: number, codec: VideoCodec): boolean {
    if (this.session !== session) return false;
    session.decoder ??= this.spawnDecoder(session, codec);
    return session.decoder.write(data, pts);
  }

  private spawnDecoder(session: WhipSessionLike, codec: VideoCodec): WhipDecoder {
    this.counters.spawns += 1;
    this.stderr.clear();
    this.deps.logger?.info({ camera: this.cameraId, session: session.id, codec }, 'starting ffmpeg for WHIP');
    const options: IvfDecoderOptions = {
      ffmpegPath: this.deps.ffmpegPath,
      args: this.args,
      codec,
      maxPendingBytes: this.options.maxPendingBytes ?? 8 * 1024 * 1024,
    };
    const handlers: IvfDecoderHandlers = {
      onStdout: (chunk) => this.onDecoded(session, chunk),
      onStderr: (text) => {
        this.stderr.push(text);
        if (decodeErrorPattern.test(text)) session.decoderSawLoss();
      },
      onClose: (result) => {
        if (this.session !== session) return;
        this.shell.connectionEnded();
        const fault: CameraFault =
          result.spawnError !== undefined
            ? {
                kind: 'unknown',
                message: `cannot run ffmpeg at ${this.deps.ffmpegPath}: ${result.spawnError.message}`,
              }
            : classifyExit(this.stderr.snapshot(), result.code, result.signal);
        this.lose(session.id, fault);
      },
    };
    return this.deps.createDecoder?.(options, handlers) ?? new IvfDecoder(options, handlers);
  }

  private onDecoded(session: WhipSessionLike, chunk: Buffer): void {
    if (this.session !== session) return;
    const size = { width: this.output.width, height: this.output.height };
    this.shell.pushDecoded(chunk, {
      accepts: () => this.session === session,
      admit: (now) => {
        this.shell.apply(this.lifecycle.frame(now, session.id, size));
        return true;
      },
    });
  }

  /** The session failed on its own (connection, decoder, watchdog). */
  private lose(sessionId: string, fault: CameraFault): void {
    const session = this.session;
    if (session === undefined || session.id !== sessionId) return;
    this.deps.logger?.warn(
      { camera: this.cameraId, session: sessionId, fault: fault.kind, reason: fault.message },
      'WHIP publisher lost',
    );
    void this.teardown(session);
    this.shell.apply(this.lifecycle.left(this.now(), sessionId, fault));
  }

  private perform(action: WhipAction): void {
    if (action.type === 'status') this.shell.publishStatus(action.status);
    else if (action.type === 'end-session' && this.session?.id === action.sessionId) {
      void this.teardown(this.session);
    }
  }

  private teardown(session: WhipSessionLike): Promise<void> {
    if (this.session === session) this.session = undefined;
    const ended = session.stats;
    this.pastSessions = {
      keyframeRequests: this.pastSessions.keyframeRequests + ended.keyframeRequests,
      packetsLost: this.pastSessions.packetsLost + ended.packetsLost,
      encodedFramesDropped: this.pastSessions.encodedFramesDropped + ended.encodedFramesDropped,
    };
    const done = session.close(this.resolved.killGraceMs).finally(() => this.teardowns.delete(done));
    this.teardowns.add(done);
    return done;
  }
}

function gone(cameraId: string): TsnError {
  return new TsnError('E_WHIP_NOT_FOUND', `camera ${cameraId} was stopped or removed`, {
    context: { camera: cameraId },
  });
}
