import type { RtspRequest } from './message-reader.js';
import type { HandledResponse, RtspConnection } from './connection.js';
import type { CameraRuntime } from './camera-runtime.js';
import { RtspSession, payloadType, type UdpSender } from './session.js';
import { parseRequestTarget, parseTransport, sessionIdOf } from './headers.js';
import { challengeHeader, isAuthorized } from './auth.js';
import { buildSdp } from './sdp.js';

export interface HandlerContext {
  readonly cameras: ReadonlyMap<string, CameraRuntime>;
  readonly sessions: Map<string, RtspSession>;
  readonly realm: string;
  readonly nonce: string;
  readonly sessionTimeoutMs: number;
  readonly senderReportIntervalMs: number;
  readonly udp: UdpSender & { readonly rtpPort: number; readonly rtcpPort: number };
  readonly host: string;
  readonly delay: (ms: number) => Promise<void>;
  readonly log: (line: string) => void;
}

const publicMethods = 'OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN, GET_PARAMETER, SET_PARAMETER';
const trackControl = 'trackID=0';

/** The RTSP methods (RFC 2326) for cameras that serve one H.264 track. */
export class RtspRequestHandler {
  constructor(private readonly ctx: HandlerContext) {}

  async handle(request: RtspRequest, connection: RtspConnection): Promise<HandledResponse> {
    if (request.method === 'OPTIONS') return { status: 200, headers: [['Public', publicMethods]] };
    const session = this.sessionOf(request);
    if (session !== undefined) session.lastActivityMs = Date.now();
    if (request.method === 'GET_PARAMETER' || request.method === 'SET_PARAMETER') {
      // A keepalive for a session that expired must tell the client so, or it would wait forever.
      if (session === undefined && request.headers.has('session')) return { status: 454 };
      return { status: 200, headers: this.sessionHeaders(session) };
    }
    const target = parseRequestTarget(request.uri);
    const camera =
      target.cameraName === undefined ? session?.camera : this.ctx.cameras.get(target.cameraName);
    if (camera === undefined) return { status: 404 };
    if (camera.faults.refuse === true) return { status: 503 };
    const denied = this.authenticate(request, camera);
    if (denied !== undefined) return denied;
    switch (request.method) {
      case 'DESCRIBE':
        return this.describe(request, camera);
      case 'SETUP':
        return this.setup(request, camera, connection, session);
      case 'PLAY':
        return this.play(request, session);
      case 'PAUSE':
        if (session === undefined) return { status: 454 };
        session.pause();
        return { status: 200, headers: this.sessionHeaders(session) };
      case 'TEARDOWN':
        if (session === undefined) return { status: 454 };
        this.endSession(session);
        return { status: 200 };
      default:
        return { status: 405, headers: [['Allow', publicMethods]] };
    }
  }

  endSession(session: RtspSession): void {
    session.close();
    this.ctx.sessions.delete(session.id);
  }

  private sessionOf(request: RtspRequest): RtspSession | undefined {
    const id = sessionIdOf(request.headers.get('session'));
    return id === undefined ? undefined : this.ctx.sessions.get(id);
  }

  private sessionHeaders(session: RtspSession | undefined): [string, string][] {
    if (session === undefined) return [];
    return [['Session', `${session.id};timeout=${Math.round(this.ctx.sessionTimeoutMs / 1000)}`]];
  }

  private authenticate(request: RtspRequest, camera: CameraRuntime): HandledResponse | undefined {
    const auth = camera.spec.auth;
    if (auth === undefined) return undefined;
    const ok = isAuthorized(auth, request.headers.get('authorization'), {
      method: request.method,
      realm: this.ctx.realm,
      nonce: this.ctx.nonce,
    });
    if (ok) return undefined;
    return {
      status: 401,
      headers: [['WWW-Authenticate', challengeHeader(auth, this.ctx.realm, this.ctx.nonce)]],
    };
  }

  private async describe(request: RtspRequest, camera: CameraRuntime): Promise<HandledResponse> {
    const slowStartMs = camera.faults.slowStartMs ?? 0;
    if (slowStartMs > 0) await this.ctx.delay(slowStartMs);
    const { sps, pps } = await camera.feed.parameterSets();
    const sdp = buildSdp({
      sessionId: String(Date.now()),
      host: this.ctx.host,
      cameraName: camera.spec.name,
      sps,
      pps,
      payloadType,
      trackControl,
      fps: camera.fps,
    });
    const base = request.uri.endsWith('/') ? request.uri : `${request.uri}/`;
    return {
      status: 200,
      headers: [
        ['Content-Type', 'application/sdp'],
        ['Content-Base', base],
      ],
      body: sdp,
    };
  }

  private setup(
    request: RtspRequest,
    camera: CameraRuntime,
    connection: RtspConnection,
    existing: RtspSession | undefined,
  ): HandledResponse {
    if (existing !== undefined) return { status: 459, headers: this.sessionHeaders(existing) };
    if (request.headers.has('session')) return { status: 454 };
    const transport = parseTransport(request.headers.get('transport'));
    if (transport === undefined) return { status: 461 };
    const session = new RtspSession({
      camera,
      transport:
        transport.kind === 'tcp'
          ? { ...transport, socket: connection.socket }
          : { ...transport, address: connection.remoteAddress },
      udp: this.ctx.udp,
      senderReportIntervalMs: this.ctx.senderReportIntervalMs,
      dropConnection: () => {
        this.endSession(session);
        connection.close();
      },
      log: this.ctx.log,
    });
    this.ctx.sessions.set(session.id, session);
    const ssrc = session.ssrc.toString(16).padStart(8, '0').toUpperCase();
    const reply =
      transport.kind === 'tcp'
        ? `RTP/AVP/TCP;unicast;interleaved=${transport.rtpChannel}-${transport.rtcpChannel};ssrc=${ssrc}`
        : `RTP/AVP;unicast;client_port=${transport.rtpPort}-${transport.rtcpPort};` +
          `server_port=${this.ctx.udp.rtpPort}-${this.ctx.udp.rtcpPort};ssrc=${ssrc}`;
    this.ctx.log(`camera ${camera.spec.name}: session ${session.id} set up over ${transport.kind}`);
    return { status: 200, headers: [['Transport', reply], ...this.sessionHeaders(session)] };
  }

  private play(request: RtspRequest, session: RtspSession | undefined): HandledResponse {
    if (session === undefined) return { status: 454 };
    const start = session.playStart();
    const base = request.uri.replace(/\/$/, '');
    const trackUrl = parseRequestTarget(base).track === undefined ? `${base}/${trackControl}` : base;
    return {
      status: 200,
      headers: [
        ['Range', 'npt=0.000-'],
        ['RTP-Info', `url=${trackUrl};seq=${start.sequence};rtptime=${start.rtpTimestamp}`],
        ...this.sessionHeaders(session),
      ],
      after: () => session.play(),
    };
  }
}
