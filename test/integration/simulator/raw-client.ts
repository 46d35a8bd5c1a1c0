import { connect, type Socket } from 'node:net';

export interface RawResponse {
  readonly status: number;
  readonly headers: ReadonlyMap<string, string>;
  readonly body: string;
}

/**
 * A deliberately small RTSP client that sees the bytes: it sends requests, reads responses, and counts the
 * interleaved packets per channel, so tests can watch media start, stop and the connection close.
 */
export class RawRtspClient {
  /** Every interleaved packet with the wall time (Date.now()) it was read at. */
  readonly packets: { channel: number; data: Buffer; atMs: number }[] = [];
  closed = false;
  private buffer = Buffer.alloc(0);
  private cseq = 0;
  private readonly waiting: ((r: RawResponse) => void)[] = [];

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => (this.closed = true));
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawRtspClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, host, () => {
        socket.off('error', reject);
        resolve(new RawRtspClient(socket));
      });
      socket.once('error', reject);
    });
  }

  packetCount(channel = 0): number {
    return this.packets.filter((p) => p.channel === channel).length;
  }

  request(
    method: string,
    uri: string,
    headers: Record<string, string> = {},
    deadlineMs = 10_000,
  ): Promise<RawResponse> {
    const lines = [`${method} ${uri} RTSP/1.0`, `CSeq: ${++this.cseq}`];
    for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
    this.socket.write(lines.join('\r\n') + '\r\n\r\n');
    return this.nextResponse(deadlineMs);
  }

  writeRaw(bytes: Buffer | string): void {
    this.socket.write(bytes);
  }

  nextResponse(deadlineMs = 10_000): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no RTSP response within ${deadlineMs} ms`)),
        deadlineMs,
      );
      this.waiting.push((r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.drain();
    });
  }

  /** SETUP over TCP interleaved (channels 0-1) and PLAY; returns the session id. */
  async play(url: string, headers: Record<string, string> = {}): Promise<string> {
    const describe = await this.request('DESCRIBE', url, { Accept: 'application/sdp', ...headers });
    if (describe.status !== 200) throw new Error(`DESCRIBE answered ${describe.status}`);
    const setup = await this.request('SETUP', `${url}/trackID=0`, {
      Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1',
      ...headers,
    });
    if (setup.status !== 200) throw new Error(`SETUP answered ${setup.status}`);
    const session = (setup.headers.get('session') ?? '').split(';')[0]!;
    const play = await this.request('PLAY', url, { Session: session, Range: 'npt=0.000-', ...headers });
    if (play.status !== 200) throw new Error(`PLAY answered ${play.status}`);
    return session;
  }

  close(): void {
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    this.drain();
  }

  private drain(): void {
    for (;;) {
      if (this.buffer.length === 0) return;
      if (this.buffer[0] === 0x24) {
        if (this.buffer.length < 4) return;
        const length = this.buffer.readUInt16BE(2);
        if (this.buffer.length < 4 + length) return;
        this.packets.push({
          channel: this.buffer[1]!,
          data: this.buffer.subarray(4, 4 + length),
          atMs: Date.now(),
        });
        this.buffer = this.buffer.subarray(4 + length);
        continue;
      }
      if (this.waiting.length === 0) return;
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = this.buffer.subarray(0, end).toString('latin1').split('\r\n');
      const headers = new Map<string, string>();
      for (const line of head.slice(1)) {
        const colon = line.indexOf(':');
        headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
      }
      const length = Number(headers.get('content-length') ?? '0');
      if (this.buffer.length < end + 4 + length) return;
      const body = this.buffer.subarray(end + 4, end + 4 + length).toString('utf8');
      this.buffer = this.buffer.subarray(end + 4 + length);
      const status = Number(/^RTSP\/1\.0 (\d{3})/.exec(head[0] ?? '')?.[1] ?? '0');
      this.waiting.shift()!({ status, headers, body });
    }
  }
}
