import { createSocket, type Socket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import type { UdpSender } from './session.js';

/**
 * The server's RTP/RTCP UDP ports (an even port and the next odd one, as RFC 3550 suggests), shared by all
 * UDP sessions: clients tell sessions apart by their own ports.
 */
export class UdpPair implements UdpSender {
  private constructor(
    private readonly rtp: Socket,
    private readonly rtcp: Socket,
    readonly rtpPort: number,
    readonly rtcpPort: number,
  ) {}

  static async open(
    host: string,
    onRtcp: (data: Buffer, address: string, port: number) => void,
    attempts = 20,
  ): Promise<UdpPair> {
    const type = host.includes(':') ? 'udp6' : 'udp4';
    let lastError: unknown;
    for (let i = 0; i < attempts; i++) {
      const port = 2 * randomInt(10_000, 30_000);
      const rtp = createSocket(type);
      const rtcp = createSocket(type);
      try {
        await bind(rtp, port, host);
        await bind(rtcp, port + 1, host);
        rtp.on('error', () => undefined);
        rtcp.on('error', () => undefined);
        rtp.on('message', () => undefined);
        rtcp.on('message', (data, info) => onRtcp(data, info.address, info.port));
        return new UdpPair(rtp, rtcp, port, port + 1);
      } catch (error) {
        lastError = error;
        await Promise.all([closeQuietly(rtp), closeQuietly(rtcp)]);
      }
    }
    throw lastError;
  }

  sendRtp(packet: Buffer, port: number, address: string): void {
    this.rtp.send(packet, port, address);
  }

  sendRtcp(packet: Buffer, port: number, address: string): void {
    this.rtcp.send(packet, port, address);
  }

  async close(): Promise<void> {
    await Promise.all([closeQuietly(this.rtp), closeQuietly(this.rtcp)]);
  }
}

function bind(socket: Socket, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}

function closeQuietly(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve();
    }
  });
}
