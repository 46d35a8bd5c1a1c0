import type { Socket } from 'node:net';
import { RtspMessageReader, type RtspRequest } from './message-reader.js';
import { formatResponse, type RtspResponse } from './response.js';

/** A response plus work to do once it is on the wire (PLAY starts media only after its 200). */
export interface HandledResponse extends RtspResponse {
  readonly after?: () => void;
}

export interface ConnectionHandlers {
  handle(request: RtspRequest, connection: RtspConnection): Promise<HandledResponse>;
  onInterleaved(channel: number, data: Buffer, connection: RtspConnection): void;
  onClose(connection: RtspConnection): void;
  log(line: string): void;
}

/**
 * One client TCP connection. Requests are answered strictly in order (a slow DESCRIBE must not let a later
 * answer overtake it); garbage gets 400 and the connection closes, leaving every other client alone.
 */
export class RtspConnection {
  private readonly reader = new RtspMessageReader();
  private queue: Promise<void> = Promise.resolve();
  readonly remoteAddress: string;

  constructor(
    readonly socket: Socket,
    private readonly handlers: ConnectionHandlers,
  ) {
    this.remoteAddress = normaliseAddress(socket.remoteAddress ?? '127.0.0.1');
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (error) => handlers.log(`connection ${this.remoteAddress}: ${error.message}`));
    socket.on('close', () => handlers.onClose(this));
  }

  close(): void {
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    for (const event of this.reader.push(chunk)) {
      if (event.kind === 'interleaved') this.handlers.onInterleaved(event.channel, event.data, this);
      else if (event.kind === 'request') this.enqueue(event.request);
      else this.reject(event.reason);
    }
  }

  private enqueue(request: RtspRequest): void {
    this.queue = this.queue.then(async () => {
      let response: HandledResponse;
      try {
        response = await this.handlers.handle(request, this);
      } catch (error) {
        this.handlers.log(
          `${request.method} ${request.uri}: ${error instanceof Error ? error.message : String(error)}`,
        );
        response = { status: 500 };
      }
      if (this.socket.destroyed) return;
      this.socket.write(formatResponse(response, request.headers.get('cseq')));
      response.after?.();
    });
  }

  private reject(reason: string): void {
    this.handlers.log(`connection ${this.remoteAddress}: ${reason}; answering 400 and closing`);
    this.queue = this.queue.then(() => {
      if (!this.socket.destroyed)
        this.socket.end(formatResponse({ status: 400 }, undefined), () => this.socket.destroy());
    });
  }
}

function normaliseAddress(address: string): string {
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
}
