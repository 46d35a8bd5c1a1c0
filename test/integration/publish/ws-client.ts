// Test-side WebSocket client: records every message, waits on the hub's control replies, and uses
// {"op":"ping"} -> {"op":"pong"} as an ordering barrier (everything sent before the pong has arrived).
import { WebSocket } from 'ws';

export interface TestClient {
  readonly ws: WebSocket;
  /** Data messages (those with a `type`), parsed, in arrival order. */
  readonly messages: Record<string, unknown>[];
  /** Raw text of the data messages. */
  readonly texts: string[];
  readonly controls: Record<string, unknown>[];
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Waits for the next control message with this op. */
  nextControl(op: string | readonly string[], timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Round trip that guarantees every message the hub sent before it has been received. */
  barrier(timeoutMs?: number): Promise<void>;
  subscribe(filter: Record<string, unknown>): Promise<Record<string, unknown>>;
}

export class HttpRejection extends Error {
  constructor(readonly status: number) {
    super(`upgrade rejected with HTTP ${status}`);
  }
}

export function openClient(url: string, headers: Record<string, string> = {}): Promise<TestClient> {
  const ws = new WebSocket(url, { headers });
  const messages: Record<string, unknown>[] = [];
  const texts: string[] = [];
  const controls: Record<string, unknown>[] = [];
  const waiters: { ops: readonly string[]; resolve: (m: Record<string, unknown>) => void }[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );

  ws.on('message', (data: Buffer) => {
    const text = data.toString('utf8');
    const parsed = JSON.parse(text) as Record<string, unknown>;
    if (typeof parsed.op === 'string') {
      controls.push(parsed);
      const i = waiters.findIndex((w) => w.ops.includes(parsed.op as string));
      if (i >= 0) waiters.splice(i, 1)[0]?.resolve(parsed);
      return;
    }
    messages.push(parsed);
    texts.push(text);
  });

  const nextControl = (op: string | readonly string[], timeoutMs = 5000): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const ops = typeof op === 'string' ? [op] : op;
      const timer = setTimeout(
        () => reject(new Error(`no ${ops.join('/')} from the hub within ${timeoutMs} ms`)),
        timeoutMs,
      );
      waiters.push({
        ops,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });

  const client: TestClient = {
    ws,
    messages,
    texts,
    controls,
    closed,
    nextControl,
    barrier: async (timeoutMs = 5000) => {
      const pong = nextControl('pong', timeoutMs);
      ws.send(JSON.stringify({ op: 'ping' }));
      await pong;
    },
    subscribe: async (filter) => {
      const ack = nextControl('subscribed');
      ws.send(JSON.stringify({ op: 'subscribe', ...filter }));
      return ack;
    },
  };

  return new Promise((resolve, reject) => {
    // The hub always answers a connection with "subscribed" or "error"; wait for either.
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new HttpRejection(res.statusCode ?? 0)));
    ws.once('open', () => nextControl(['subscribed', 'error']).then(() => resolve(client), reject));
  });
}
