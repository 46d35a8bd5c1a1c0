// A client that stops reading and floods subscribe commands: the hub cuts it off with 4008 (command rate,
// or control replies passing the send-buffer limit) while the process memory stays bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { WebSocket } from 'ws';
import { createWebSocketHub, type WebSocketHubOptions } from '../../../src/publish/websocket/hub.js';
import { WS_CLOSE } from '../../../src/publish/websocket/close-codes.js';

const MiB = 1024 * 1024;

async function flood(
  options: Partial<WebSocketHubOptions>,
  cut: (stats: ReturnType<ReturnType<typeof createWebSocketHub>['stats']>) => number,
  maxMessages: number,
): Promise<{ code: number; reason: string; peakGrowthBytes: number; sent: number }> {
  const server = createServer((_req, res) => res.writeHead(404).end());
  const hub = createWebSocketHub({ server, closeGraceMs: 60_000, ...options });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  try {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/events`);
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    ws.pause(); // stop reading: every reply the hub sends from now on stays in its buffers
    // A big filter makes each "subscribed" reply as big as the command (about 60 KB).
    const cameras = Array.from(
      { length: 1000 },
      (_, i) => `camera-${String(i).padStart(4, '0')}-${'x'.repeat(45)}`,
    );
    const command = Buffer.from(JSON.stringify({ op: 'subscribe', cameras }));
    const memory = () => process.memoryUsage().arrayBuffers + process.memoryUsage().heapUsed;
    const baseline = memory();
    let peak = baseline;
    let sent = 0;
    while (sent < maxMessages && cut(hub.stats()) === 0) {
      // One command in flight at a time, so the test's own send buffer stays small.
      await new Promise<void>((resolve, reject) =>
        ws.send(command, { binary: false }, (e) => (e ? reject(e) : resolve())),
      );
      sent += 1;
      if (sent % 10 === 0) await new Promise((r) => setImmediate(r));
      peak = Math.max(peak, memory());
    }
    ws.resume();
    const result = await Promise.race([
      closed,
      new Promise<{ code: number; reason: string }>((resolve) =>
        setTimeout(() => resolve({ code: 0, reason: 'not closed' }), 10_000),
      ),
    ]);
    ws.terminate();
    return { ...result, peakGrowthBytes: peak - baseline, sent };
  } finally {
    await hub.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

test('a paused client flooding subscribe commands is closed with 4008 (command rate)', async () => {
  const result = await flood({}, (s) => s.commandRateDisconnects, 300);
  assert.equal(result.code, WS_CLOSE.tooManyCommands, JSON.stringify(result));
  assert.equal(result.reason, 'too many commands');
  assert.ok(result.sent < 300, `cut off after ${result.sent} commands`);
});

test('control replies count against the send buffer: a paused client is closed with 4008, memory bounded', async () => {
  const result = await flood(
    { maxCommandsPerSecond: 1e9, commandBurst: 1e9, maxBufferedBytes: 256 * 1024 },
    (s) => s.slowConsumerDisconnects,
    2000,
  );
  assert.equal(result.code, WS_CLOSE.slowConsumer, JSON.stringify(result));
  assert.equal(result.reason, 'slow consumer');
  assert.ok(result.peakGrowthBytes < 48 * MiB, `grew by ${(result.peakGrowthBytes / MiB).toFixed(1)} MiB`);
});
