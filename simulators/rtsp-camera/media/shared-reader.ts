import type { AccessUnit } from '../h264/access-units.js';
import { EncoderProcess, type EncoderProcessEvents } from './encoder-process.js';
import { passthroughArgs } from './ffmpeg-args.js';
import { hasBSlice } from './slice-type.js';

/** What a camera feed holds while it receives units: an own encoder or a share of a file reader. */
export interface MediaSource {
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

interface Reader {
  readonly process: EncoderProcess;
  readonly subscribers: Set<EncoderProcessEvents>;
}

/**
 * One ffmpeg per file passing its H.264 through (passthroughArgs), shared by every camera serving that
 * file: N cameras of one file cost one demuxer. A reader starts with its first subscriber and stops
 * with its last. A file found to hold B-frames is remembered as not passable; its subscribers get an
 * unexpected exit, and the feed restarts on its own encoder.
 */
export class SharedFileReaders {
  private readonly readers = new Map<string, Reader>();
  private readonly notPassable = new Set<string>();

  constructor(
    private readonly ffmpegPath: string,
    private readonly log: (line: string) => void,
    private readonly onSpawn?: (pid: number) => void,
  ) {}

  canShare(file: string): boolean {
    return !this.notPassable.has(file);
  }

  subscribe(file: string, events: EncoderProcessEvents): MediaSource {
    const reader = this.readers.get(file) ?? this.start(file);
    reader.subscribers.add(events);
    let stopped: Promise<void> | undefined;
    return {
      pid: reader.process.pid,
      stop: () => {
        stopped ??= this.leave(file, reader, events);
        return stopped;
      },
    };
  }

  private start(file: string): Reader {
    const subscribers = new Set<EncoderProcessEvents>();
    const process: EncoderProcess = new EncoderProcess(this.ffmpegPath, passthroughArgs(file), {
      onAccessUnit: (unit) => this.deliver(file, reader, unit),
      onUnexpectedExit: (detail) => {
        if (this.readers.get(file) === reader) this.readers.delete(file);
        for (const s of [...subscribers]) s.onUnexpectedExit(detail);
      },
    });
    const reader: Reader = { process, subscribers };
    this.readers.set(file, reader);
    if (process.pid !== undefined) this.onSpawn?.(process.pid);
    this.log(`file ${file}: passthrough reader pid ${process.pid} started (no re-encode)`);
    return reader;
  }

  private deliver(file: string, reader: Reader, unit: AccessUnit): void {
    if (hasBSlice(unit)) {
      this.notPassable.add(file);
      if (this.readers.get(file) === reader) this.readers.delete(file);
      void reader.process.stop();
      this.log(`file ${file}: has B-frames, cameras re-encode it`);
      for (const s of [...reader.subscribers])
        s.onUnexpectedExit('file has B-frames; switching to re-encode');
      return;
    }
    for (const s of [...reader.subscribers]) s.onAccessUnit(unit);
  }

  private async leave(file: string, reader: Reader, events: EncoderProcessEvents): Promise<void> {
    reader.subscribers.delete(events);
    if (reader.subscribers.size > 0) return;
    if (this.readers.get(file) === reader) this.readers.delete(file);
    await reader.process.stop();
  }
}
