import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filter, firstValueFrom, timeout, type Observable } from 'rxjs';
import type { CameraStatus } from '../../../src/domain/index.js';

export const ffmpegPath = 'ffmpeg';

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Renders a small H.264 test clip (lavfi testsrc2), `format` chosen by the extension of `out`. */
export async function makeClip(out: string, width: number, height: number, seconds: number): Promise<string> {
  const args = [
    '-nostdin',
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${width}x${height}:rate=25`,
  ];
  args.push(
    '-t',
    String(seconds),
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-g',
    '25',
    '-pix_fmt',
    'yuv420p',
    '-y',
    out,
  );
  await run(args);
  return out;
}

export function run(args: readonly string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`ffmpeg ${code}: ${err}`)),
    );
  });
}

/** The first status matching `predicate`, or a rejection naming what was awaited after `withinMs`. */
export function waitForStatus(
  status$: Observable<CameraStatus>,
  predicate: (s: CameraStatus) => boolean,
  withinMs: number,
  what: string,
): Promise<CameraStatus> {
  return firstValueFrom(
    status$.pipe(
      filter(predicate),
      timeout({
        first: withinMs,
        with: () => Promise.reject(new Error(`no status "${what}" within ${withinMs} ms`)),
      }),
    ),
  );
}

/** Children of this test process that are ingest ffmpegs (rawvideo to stdout), by pid. */
export function ingestChildren(matching: (argv: readonly string[]) => boolean = () => true): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (cmdline.includes('rawvideo') && cmdline.includes('pipe:1') && matching(cmdline))
        found.push(Number(entry));
    } catch {
      // the process went away while we looked
    }
  }
  return found;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
