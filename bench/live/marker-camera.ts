// A live camera whose every frame carries the wall-clock time it was made, as a barcode the browser can
// read back (bench/live-delay.ts). ffmpeg makes the frames (testsrc2 paced to real time by the realtime
// filter), stamps each with the machine clock right after pacing (setpts=RTCTIME), draws the low 24 bits
// of that time in milliseconds as 24 black/white cells (top row: bit, bottom row: its complement, so a
// damaged read is detected), encodes H.264 like a camera (1 s GOP, no B-frames, ~camera bitrate) and
// writes MPEG-TS. An HTTP server fans the stream out to every client (the service's ingest and its live
// view), each joining at a TS packet boundary. Browser and ffmpeg read the same clock: no sync needed.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Barcode geometry, as fractions of the picture (the live view may scale it): 26 cells x 2 rows. */
export const BARCODE = { bits: 24, columns: 26, rowHeightFraction: 1 / 15 } as const;

/**
 * The stamp (wall ms mod 2^24) in a picture, or undefined when a cell is unclear (bit and complement too
 * close). Self-contained: the delay bench runs it in the browser through its source text.
 */
export function readBarcode(
  luma: (x: number, y: number) => number,
  width: number,
  height: number,
): number | undefined {
  // BARCODE's geometry, spelled out: this function must not reach outside itself (it runs in the page).
  const bits = 24;
  const columns = 26;
  const rowHeight = height / 15;
  let value = 0;
  for (let b = 0; b < bits; b++) {
    const x = Math.floor(((b + 1.5) * width) / columns);
    const top = luma(x, Math.floor(rowHeight * 0.5));
    const bottom = luma(x, Math.floor(rowHeight * 1.5));
    if (Math.abs(top - bottom) < 60) return undefined;
    if (top > bottom) value += 2 ** b;
  }
  return value;
}

/** Milliseconds from a stamp to nowMs: the latest time at or before nowMs with those low 24 bits. */
export function msSinceStamp(nowMs: number, stamp: number): number {
  const period = 2 ** 24;
  return (((Math.round(nowMs) - stamp) % period) + period) % period;
}

export interface MarkerCamera {
  readonly url: string;
  readonly pid: number;
  close(): Promise<void>;
}

const TS_PACKET = 188;

/** The ffmpeg filter graph and encoder for one marker camera (pure, for reading and testing). */
export function markerCameraArgs(o: {
  width: number;
  height: number;
  fps: number;
  kbps: number;
  gopS: number;
}) {
  const { bits, columns, rowHeightFraction } = BARCODE;
  const barHeight = 2 * Math.round(o.height * rowHeightFraction);
  // Cell x holds bit x-1 of (wall ms mod 2^24); row y=0 the bit, y=1 its complement; margins black.
  const bit = `mod(floor(mod(floor(T*1000+0.5),${2 ** bits})/pow(2,X-1)),2)`;
  const lum = `if(between(X,1,${bits}),255*abs(Y-${bit}),0)`;
  const graph = [
    `testsrc2=size=${o.width}x${o.height}:rate=${o.fps},realtime,settb=1/1000,setpts=RTCTIME/1000,split[bg][t]`,
    `[t]scale=${columns}:2:flags=neighbor,format=gray,geq=lum='${lum}',` +
      `scale=${o.width}:${barHeight}:flags=neighbor,format=yuv420p[bar]`,
    // Back to a stream clock starting at 0 (the encoder and MPEG-TS do not want epoch timestamps).
    `[bg][bar]overlay=0:0:format=yuv420,setpts=N*1000/${o.fps},format=yuv420p[out]`,
  ].join(';');
  const gop = String(Math.round(o.gopS * o.fps));
  return [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-filter_complex', graph, '-map', '[out]'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-bf', '0'],
    ...['-g', gop, '-keyint_min', gop, '-b:v', `${o.kbps}k`, '-maxrate', `${o.kbps}k`],
    ...['-bufsize', `${o.kbps}k`, '-pix_fmt', 'yuv420p'],
    ...['-f', 'mpegts', '-muxdelay', '0', '-muxpreload', '0', '-flush_packets', '1', 'pipe:1'],
  ];
}

export async function startMarkerCamera(
  ffmpeg: string,
  o: { width: number; height: number; fps: number; kbps: number; gopS: number },
): Promise<MarkerCamera> {
  const clients = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    if (req.url !== '/cam.ts') return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'video/mp2t', 'cache-control': 'no-store' });
    clients.add(res);
    res.on('close', () => clients.delete(res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const child: ChildProcess = spawn(ffmpeg, markerCameraArgs(o), { stdio: ['ignore', 'pipe', 'inherit'] });
  let pending = Buffer.alloc(0);
  child.stdout?.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    const whole = pending.length - (pending.length % TS_PACKET);
    if (whole === 0) return;
    const packets = pending.subarray(0, whole);
    pending = Buffer.from(pending.subarray(whole));
    // A client that cannot keep up loses packets instead of growing memory (bounded, like the service).
    for (const res of clients) if (res.writableLength < 8 * 1024 * 1024) res.write(packets);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/cam.ts`,
    pid: child.pid ?? -1,
    async close() {
      for (const res of clients) res.destroy();
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      }
      await new Promise((r) => server.close(r));
    },
  };
}
