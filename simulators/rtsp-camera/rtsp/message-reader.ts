export interface RtspRequest {
  readonly method: string;
  readonly uri: string;
  /** Header names in lower case. */
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Buffer;
}

export type ReaderEvent =
  | { readonly kind: 'request'; readonly request: RtspRequest }
  | { readonly kind: 'interleaved'; readonly channel: number; readonly data: Buffer }
  | { readonly kind: 'malformed'; readonly reason: string };

const maxHeaderBytes = 16 * 1024;
const maxBodyBytes = 64 * 1024;
const requestLine = /^([A-Z_]{1,32}) (\S+) RTSP\/1\.0$/;

/**
 * Reads what an RTSP client sends on its TCP connection: requests (with bodies) mixed with '$'-framed
 * interleaved data (RTCP receiver reports). After a malformed message the stream cannot be resynchronised,
 * so the reader stops and the connection answers 400 and closes.
 */
export class RtspMessageReader {
  private buffer: Buffer = Buffer.alloc(0);
  private broken = false;

  push(chunk: Buffer): ReaderEvent[] {
    if (this.broken) return [];
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const events: ReaderEvent[] = [];
    for (;;) {
      const event = this.next();
      if (event === undefined) break;
      events.push(event);
      if (event.kind === 'malformed') {
        this.broken = true;
        this.buffer = Buffer.alloc(0);
        break;
      }
    }
    return events;
  }

  private next(): ReaderEvent | undefined {
    while (this.buffer.length > 0 && (this.buffer[0] === 0x0d || this.buffer[0] === 0x0a)) {
      this.buffer = this.buffer.subarray(1);
    }
    if (this.buffer.length === 0) return undefined;
    if (this.buffer[0] === 0x24) return this.nextInterleaved();
    return this.nextRequest();
  }

  private nextInterleaved(): ReaderEvent | undefined {
    if (this.buffer.length < 4) return undefined;
    const length = this.buffer.readUInt16BE(2);
    if (this.buffer.length < 4 + length) return undefined;
    const event: ReaderEvent = {
      kind: 'interleaved',
      channel: this.buffer[1] ?? 0,
      data: Buffer.from(this.buffer.subarray(4, 4 + length)),
    };
    this.buffer = this.buffer.subarray(4 + length);
    return event;
  }

  private nextRequest(): ReaderEvent | undefined {
    const headerEnd = this.buffer.indexOf('\r\n\r\n');
    if (headerEnd < 0) {
      if (this.buffer.length > maxHeaderBytes) return malformed('header section too long');
      if (!looksLikeRequestStart(this.buffer)) return malformed('not an RTSP request');
      return undefined;
    }
    const head = this.buffer.subarray(0, headerEnd).toString('latin1');
    const [first = '', ...lines] = head.split('\r\n');
    const match = requestLine.exec(first);
    if (match === null) return malformed(`bad request line: ${first.slice(0, 80)}`);
    const headers = new Map<string, string>();
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon <= 0) return malformed(`bad header line: ${line.slice(0, 80)}`);
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const contentLength = Number(headers.get('content-length') ?? '0');
    if (!Number.isInteger(contentLength) || contentLength < 0 || contentLength > maxBodyBytes) {
      return malformed('bad Content-Length');
    }
    const bodyStart = headerEnd + 4;
    if (this.buffer.length < bodyStart + contentLength) return undefined;
    const body = Buffer.from(this.buffer.subarray(bodyStart, bodyStart + contentLength));
    this.buffer = this.buffer.subarray(bodyStart + contentLength);
    return { kind: 'request', request: { method: match[1]!, uri: match[2]!, headers, body } };
  }
}

function malformed(reason: string): ReaderEvent {
  return { kind: 'malformed', reason };
}

// Rejects garbage early (binary bytes, or a first line that is no request line) instead of waiting
// for 16 KiB of it.
function looksLikeRequestStart(buffer: Buffer): boolean {
  const prefix = buffer.subarray(0, 256).toString('latin1');
  const lineEnd = prefix.indexOf('\n');
  if (lineEnd >= 0) return requestLine.test(prefix.slice(0, lineEnd).replace(/\r$/, ''));
  return /^[\x20-\x7e\r]*$/.test(prefix);
}
