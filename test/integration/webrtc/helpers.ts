import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { registerWhipRoutes } from '../../../src/api/routes-whip.js';
import type { CameraStatus, Frame } from '../../../src/domain/index.js';
import { WhipHub, type WhipCameraSource } from '../../../src/sources/webrtc/index.js';
import { fixturesDir } from '../../helpers/paths.js';

export const ffmpegPath = 'ffmpeg';
export const clip = join(fixturesDir, 'reference', 'clip_340x256.mp4');

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A raw Y4M clip for Chromium's fake camera (it loops the file). */
export function makeY4m(out: string): string {
  execFileSync(ffmpegPath, [
    ...['-nostdin', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=15'],
    ...['-t', '2', '-pix_fmt', 'yuv420p', '-y', out],
  ]);
  return out;
}

/** A camera's frames and statuses, recorded as they come. */
export class Recorder {
  readonly frames: Frame[] = [];
  readonly statuses: CameraStatus[] = [];
  constructor(readonly source: WhipCameraSource) {
    source.frames$.subscribe((f) => this.frames.push(f));
    source.status$.subscribe((s) => this.statuses.push(s));
  }

  get status(): CameraStatus | undefined {
    return this.statuses.at(-1);
  }
}

/** A WHIP endpoint (fastify + the WHIP routes) with one started WHIP camera per id. */
export async function startWhipServer(
  ids: readonly string[],
  options: { token?: string; stallTimeoutMs?: number } = {},
) {
  const hub = new WhipHub();
  const cameras = new Map<string, Recorder>();
  for (const id of ids) {
    const source = hub.createSource(
      { id, sampleFps: 5, stallTimeoutMs: options.stallTimeoutMs ?? 3_000, connectTimeoutMs: 15_000 },
      { ffmpegPath },
    );
    cameras.set(id, new Recorder(source));
    source.start();
  }
  const app = Fastify();
  registerWhipRoutes(app, {
    whip: hub,
    auth: { protectMutations: true, ...(options.token === undefined ? {} : { token: options.token }) },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    base,
    hub,
    endpoint: (id: string) => `${base}/v1/whip/${id}`,
    camera: (id: string) => cameras.get(id) ?? assertNever(id),
    async close() {
      await Promise.all([...cameras.values()].map((c) => c.source.close()));
      await app.close();
    },
  };
}

function assertNever(id: string): never {
  throw new Error(`no camera ${id}`);
}

export { waitForStatus } from '../sources/helpers.js';

/** Live ffmpeg children of this test process (decoders and publisher encoders). */
export function ffmpegChildren(): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) !== process.pid || fields[0] === 'Z') continue;
      const argv0 = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0')[0] ?? '';
      if (basename(argv0) === 'ffmpeg') found.push(Number(entry));
    } catch {
      // gone while we looked
    }
  }
  return found;
}

/** UDP sockets this process holds (werift's ICE sockets). */
export function udpSockets(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'UDPWrap').length;
}

export const chromiumPath = '/usr/bin/chromium';

export function chromiumArgs(fakeVideo: string): string[] {
  return [
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    `--use-file-for-fake-video-capture=${fakeVideo}`,
    '--allow-loopback-in-peer-connection',
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ];
}
