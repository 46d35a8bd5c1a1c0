// Printing and writing bench:remote's results.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadRun } from './load.js';

export interface StepRow {
  readonly mode: 'local' | 'remote';
  readonly concurrency: number;
  readonly framesPerRequest: number;
  readonly run: LoadRun;
  readonly cpuMs: Readonly<Record<string, number>>;
  readonly bytes?: { readonly request: number; readonly reply: number };
  readonly worker?: { readonly frames: number; readonly batches: number; readonly refused: number };
  readonly retries?: number;
  readonly failures?: number;
}

interface PrintedStep {
  readonly mode: string;
  readonly concurrency: number;
  readonly framesPerSecond: number;
  readonly roundTripMs: { readonly p50: number; readonly p99: number };
  readonly cpuMsPerFrame: Readonly<Record<string, number>>;
  readonly bytesPerFrame?: { readonly request: number; readonly reply: number };
  readonly worker?: { readonly meanBatchFrames: number };
}

const f = (n: number | undefined, digits = 1) =>
  n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(digits);

export function printReport(report: {
  steps: readonly PrintedStep[];
  paperModel: unknown;
  wire: unknown;
}): void {
  console.log(
    '\nmode   | c  | frames/s | RTT p50 ms | RTT p99 ms | edge CPU ms/frame | worker | nats | req KB | reply KB | batch',
  );
  for (const s of report.steps) {
    const cells = [
      s.mode.padEnd(6),
      String(s.concurrency).padStart(2),
      f(s.framesPerSecond),
      f(s.roundTripMs.p50),
      f(s.roundTripMs.p99),
      f(s.cpuMsPerFrame.edge, 2),
      f(s.cpuMsPerFrame.worker),
      f(s.cpuMsPerFrame.natsServer, 2),
      f(s.bytesPerFrame && s.bytesPerFrame.request / 1024),
      f(s.bytesPerFrame && s.bytesPerFrame.reply / 1024, 2),
      f(s.worker?.meanBatchFrames),
    ];
    console.log(cells.join(' | '));
  }
  console.log('\nwire:', JSON.stringify(report.wire, null, 1));
  console.log('\npaper model:', JSON.stringify(report.paperModel, null, 1));
}

export function writeReport(report: object): string {
  const out = join(
    dirname(fileURLToPath(import.meta.url)),
    '..',
    '..',
    '..',
    'bench',
    'results',
    'remote-infer.json',
  );
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  return out;
}
