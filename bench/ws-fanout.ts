// WebSocket fan-out benchmark: one hub on a loopback http server, N subscribers in child processes (so the
// clients' parsing does not share the hub's event loop). Measures delivery latency (hub publish -> client
// receive, CLOCK_MONOTONIC is shared by all processes on the machine), deliveries per second in a burst,
// and the hub process's memory. Bounded in time; writes bench/results/ws-fanout.json.
//
//   node dist/bench/ws-fanout.js [--clients 1000] [--children 2] [--events 200] [--rate 50] [--burst 1000]
//                                [--max-seconds 55]
import { fork, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus } from 'node:os';
import { WebSocket } from 'ws';
import { createWebSocketHub } from '../src/publish/websocket/hub.js';
import type { ActionEvent } from '../src/domain/event.js';
import { parseBenchArgs } from './lib/bench-args.js';

const USAGE = `npm run bench:ws -- [options]
  --clients N       WebSocket subscribers (default 1000)
  --children N      client processes they are spread over (default 2)
  --events N        events in the steady phase (default 200)
  --rate N          steady events per second (default 50)
  --burst N         events published at once in the burst phase (default 1000)
  --max-seconds S   the whole bench's time bound (default 55)`;

const BUCKET_US = 100; // histogram resolution: 0.1 ms
const BUCKETS = 20_000; // up to 2 s; slower deliveries land in the last bucket

const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);

type ToChild =
  { cmd: 'connect'; url: string; clients: number } | { cmd: 'expect'; perClient: number } | { cmd: 'report' };
type FromChild =
  | { ev: 'ready'; connected: number }
  | { ev: 'done'; received: number; complete: boolean; histogram: number[]; lastReceiveUs: number };

// ---------------------------------------------------------------- child: the subscribers
async function runChild(): Promise<void> {
  let histogram = new Array<number>(BUCKETS).fill(0);
  let received = 0;
  let target = Infinity;
  let lastReceiveUs = 0;
  const sockets: WebSocket[] = [];
  const counts: number[] = [];
  let completeClients = 0;
  const send = (m: FromChild): void => void process.send?.(m);

  const report = (complete: boolean): void => {
    send({ ev: 'done', received, complete, histogram, lastReceiveUs });
    histogram = new Array<number>(BUCKETS).fill(0);
    received = 0;
    completeClients = 0;
    counts.fill(0);
  };

  const onData = (i: number, data: Buffer): void => {
    const t = nowUs();
    const event = JSON.parse(data.toString('utf8')) as { op?: string; id?: string };
    if (event.op !== undefined) return;
    const sentUs = Number(event.id?.split(':')[1]);
    const bucket = Math.min(BUCKETS - 1, Math.max(0, Math.floor((t - sentUs) / BUCKET_US)));
    histogram[bucket] = (histogram[bucket] ?? 0) + 1;
    received += 1;
    lastReceiveUs = t;
    counts[i] = (counts[i] ?? 0) + 1;
    if (counts[i] === target) {
      completeClients += 1;
      if (completeClients === sockets.length) report(true);
    }
  };

  const connectOne = (url: string, i: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      ws.on('message', (data: Buffer) => onData(i, data));
      ws.once('open', () => resolve());
      ws.once('error', reject);
      sockets.push(ws);
      counts.push(0);
    });

  process.on('message', (m: ToChild) => {
    if (m.cmd === 'connect') {
      void (async () => {
        for (let i = 0; i < m.clients; i += 50) {
          const batch = Array.from({ length: Math.min(50, m.clients - i) }, (_, k) =>
            connectOne(m.url, i + k),
          );
          await Promise.all(batch);
        }
        send({ ev: 'ready', connected: sockets.length });
      })();
    } else if (m.cmd === 'expect') {
      target = m.perClient;
    } else if (m.cmd === 'report') {
      report(false); // out of time: send what arrived so far
    }
  });
  process.on('disconnect', () => {
    for (const ws of sockets) ws.terminate();
    process.exit(0);
  });
}

// ---------------------------------------------------------------- parent: the hub and the measurements
function onceMessage<T extends FromChild['ev']>(
  child: ChildProcess,
  ev: T,
  timeoutMs: number,
): Promise<Extract<FromChild, { ev: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`child did not report "${ev}" within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const listener = (m: FromChild): void => {
      if (m.ev !== ev) return;
      clearTimeout(timer);
      child.off('message', listener);
      resolve(m as Extract<FromChild, { ev: T }>);
    };
    child.on('message', listener);
  });
}

function percentile(histogram: number[], p: number): number {
  const total = histogram.reduce((a, b) => a + b, 0);
  let seen = 0;
  for (let i = 0; i < histogram.length; i += 1) {
    seen += histogram[i] ?? 0;
    if (seen >= total * p) return ((i + 1) * BUCKET_US) / 1000;
  }
  return NaN;
}

function mergeHistograms(reports: { histogram: number[] }[]): number[] {
  const merged = new Array<number>(BUCKETS).fill(0);
  for (const r of reports) r.histogram.forEach((v, i) => (merged[i] = (merged[i] ?? 0) + v));
  return merged;
}

function benchEvent(seq: number, top: ActionEvent['top']): ActionEvent {
  const wall = Date.now();
  return {
    schemaVersion: 1,
    id: `bench-${seq}:${nowUs()}`,
    type: seq % 2 === 0 ? 'action.started' : 'action.ended',
    episodeId: `ep-${seq >> 1}`,
    camera: `cam-${seq % 16}`,
    label: 'falling',
    labelIndex: 3,
    score: 0.9,
    peakScore: 0.95,
    startedAt: new Date(wall).toISOString(),
    startedAtMs: wall,
    endedAt: null,
    endedAtMs: null,
    window: { startMs: seq * 250, endMs: seq * 250 + 2000, numSeg: 8 },
    top,
    modelId: 'tsn-r50-k400',
  };
}

const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;

async function runParent(): Promise<void> {
  const values = parseBenchArgs('bench:ws', USAGE, {
    clients: { type: 'string', default: '1000' },
    children: { type: 'string', default: '2' },
    events: { type: 'string', default: '200' },
    rate: { type: 'string', default: '50' },
    burst: { type: 'string', default: '1000' },
    'max-seconds': { type: 'string', default: '55' },
  });
  const clients = Number(values.clients);
  const childCount = Math.max(1, Math.min(Number(values.children), clients));
  const steadyEvents = Number(values.events);
  const rate = Number(values.rate);
  const burstEvents = Number(values.burst);
  const deadlineMs = Date.now() + Number(values['max-seconds']) * 1000;
  const remainingMs = (): number => Math.max(1000, deadlineMs - Date.now());

  const server = createServer();
  const hub = createWebSocketHub({ server, path: '/v1/events', maxBufferedBytes: 4 * 1024 * 1024 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const url = `ws://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/v1/events`;
  const self = fileURLToPath(import.meta.url);
  const children = Array.from({ length: childCount }, () => fork(self, ['--child'], { stdio: 'inherit' }));
  const memBefore = process.memoryUsage();
  const top = [
    { index: 3, label: 'falling', score: 0.9 },
    { index: 1, label: 'walking', score: 0.05 },
    { index: 7, label: 'sitting', score: 0.03 },
  ];

  try {
    const t0 = Date.now();
    const per = Math.ceil(clients / childCount);
    const ready = children.map((c, i) => {
      const n = Math.min(per, clients - i * per);
      c.send({ cmd: 'connect', url, clients: n } satisfies ToChild);
      return onceMessage(c, 'ready', remainingMs());
    });
    await Promise.all(ready);
    const connectMs = Date.now() - t0;
    const memConnected = process.memoryUsage();
    console.log(`${hub.clients()} subscribers connected in ${connectMs} ms`);

    // Phase 1: steady rate, latency as a subscriber would see it.
    const phase = async (events: number, publish: (seq: number) => Promise<void>) => {
      children.forEach((c) => c.send({ cmd: 'expect', perClient: events } satisfies ToChild));
      // Out of time, the children report what they have, so a slow machine still yields (partial) figures.
      const timer = setTimeout(
        () => children.forEach((c) => c.send({ cmd: 'report' } satisfies ToChild)),
        Math.max(0, deadlineMs - Date.now()),
      );
      const done = children.map((c) => onceMessage(c, 'done', remainingMs() + 10_000));
      const startUs = nowUs();
      let published = 0;
      while (published < events && Date.now() < deadlineMs) await publish(published++);
      const publishedUs = nowUs();
      const reports = await Promise.all(done).finally(() => clearTimeout(timer));
      const lastUs = Math.max(...reports.map((r) => r.lastReceiveUs));
      const histogram = mergeHistograms(reports);
      const delivered = reports.reduce((a, r) => a + r.received, 0);
      return {
        events: published,
        deliveries: delivered,
        expectedDeliveries: published * clients,
        complete: delivered === published * clients,
        publishSeconds: (publishedUs - startUs) / 1e6,
        seconds: (lastUs - startUs) / 1e6,
        deliveriesPerSecond: Math.round(delivered / ((lastUs - startUs) / 1e6)),
        latencyMs: {
          p50: percentile(histogram, 0.5),
          p90: percentile(histogram, 0.9),
          p99: percentile(histogram, 0.99),
          max: percentile(histogram, 1),
        },
      };
    };

    const intervalMs = 1000 / rate;
    const steadyStart = Date.now();
    const steady = await phase(steadyEvents, async (seq) => {
      hub.publishEvent(benchEvent(seq, top));
      const wait = steadyStart + (seq + 1) * intervalMs - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    });
    console.log(`steady ${rate}/s:`, JSON.stringify(steady));

    // Phase 2: burst as fast as the hub can serialise and write, yielding so sockets can flush.
    let peakRss = 0;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
    const burst = await phase(burstEvents, async (seq) => {
      hub.publishEvent(benchEvent(seq, top));
      if (seq % 20 === 19) await new Promise((r) => setImmediate(r));
    }).finally(() => clearInterval(sampler));
    console.log('burst:', JSON.stringify(burst));

    const memAfter = process.memoryUsage();
    const result = {
      benchmark: 'ws-fanout',
      date: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      clients,
      clientProcesses: childCount,
      messageBytes: Buffer.byteLength(JSON.stringify(benchEvent(0, top))),
      connectMs,
      steady: { ratePerSecond: rate, ...steady },
      burst,
      hubStats: hub.stats(),
      hubMemoryMB: {
        rssBefore: mb(memBefore.rss),
        rssConnected: mb(memConnected.rss),
        rssAfter: mb(memAfter.rss),
        rssPeakDuringBurst: mb(peakRss),
        heapUsedConnected: mb(memConnected.heapUsed),
        perClientKB: Math.round(((memConnected.rss - memBefore.rss) / clients / 1024) * 10) / 10,
      },
      note: 'Latency = hub publishEvent() -> JSON parsed in a subscriber process, loopback, shared CPU.',
    };
    const out = join(dirname(self), '..', '..', 'bench', 'results', 'ws-fanout.json');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`p99 latency steady ${steady.latencyMs.p99} ms, burst ${burst.latencyMs.p99} ms;`);
    console.log(`burst ${burst.deliveriesPerSecond} deliveries/s; wrote ${out}`);
  } finally {
    children.forEach((c) => c.disconnect());
    await hub.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

if (process.argv.includes('--child')) void runChild();
else
  runParent().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
