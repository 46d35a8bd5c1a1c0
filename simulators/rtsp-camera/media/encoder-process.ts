import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { AnnexBSplitter } from '../h264/annexb.js';
import { AccessUnitGrouper, type AccessUnit } from '../h264/access-units.js';

export interface EncoderProcessEvents {
  readonly onAccessUnit: (unit: AccessUnit) => void;
  /** The process ended without stop() being called (crash, bad file). */
  readonly onUnexpectedExit: (detail: string) => void;
}

const killGraceMs = 2_000;
const stderrTailBytes = 2_000;

/** A running ffmpeg encoder: its Annex B output cut into access units. Thin shell around the parsers. */
export class EncoderProcess {
  readonly pid: number | undefined;
  private readonly child: ChildProcessByStdio<null, Readable, Readable>;
  private readonly exited: Promise<void>;
  private stopping = false;
  private stderrTail = '';

  constructor(ffmpegPath: string, args: readonly string[], events: EncoderProcessEvents) {
    this.child = spawn(ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.pid = this.child.pid;
    const splitter = new AnnexBSplitter();
    const grouper = new AccessUnitGrouper();
    this.child.stdout.on('data', (chunk: Buffer) => {
      if (this.stopping) return;
      for (const nal of splitter.push(chunk)) {
        const unit = grouper.push(nal);
        if (unit !== undefined) events.onAccessUnit(unit);
      }
    });
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-stderrTailBytes);
    });
    this.exited = new Promise((resolve) => {
      this.child.once('close', (code, signal) => {
        if (!this.stopping) {
          events.onUnexpectedExit(
            `ffmpeg exited (code ${code}, signal ${signal}): ${this.stderrTail.trim()}`,
          );
        }
        resolve();
      });
      this.child.once('error', (error) => {
        if (!this.stopping) events.onUnexpectedExit(`ffmpeg failed to start: ${error.message}`);
        resolve();
      });
    });
  }

  /** Kills ffmpeg (SIGTERM, then SIGKILL) and resolves once it has exited. Idempotent. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), killGraceMs);
      await this.exited;
      clearTimeout(timer);
    }
    await this.exited;
  }
}
