// One ffmpeg decoding a WHIP publisher's frames: IVF in on stdin, rgb24 out on stdout. No policy: the WHIP
// source decides when it starts and stops.
import { FfmpegProcess, type FfmpegProcessHandlers } from '../ffmpeg-process.js';
import { ivfFileHeader, ivfFrame, type VideoCodec } from './ivf.js';

export type IvfDecoderHandlers = FfmpegProcessHandlers;

export interface IvfDecoderOptions {
  readonly ffmpegPath: string;
  readonly args: readonly string[];
  readonly codec: VideoCodec;
  /** Encoded bytes allowed to wait in stdin's buffer; beyond that frames are refused (see write()). */
  readonly maxPendingBytes: number;
}

export class IvfDecoder {
  private readonly process: FfmpegProcess;
  private readonly maxPendingBytes: number;

  constructor(options: IvfDecoderOptions, handlers: IvfDecoderHandlers) {
    this.maxPendingBytes = options.maxPendingBytes;
    this.process = new FfmpegProcess(options.ffmpegPath, options.args, handlers, { stdin: true });
    this.process.stdin?.write(ivfFileHeader(options.codec));
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  /**
   * Queues one frame. False when it was refused because ffmpeg is that far behind: the caller must then
   * wait for a keyframe, since the frames after a missing one do not decode.
   */
  write(data: Uint8Array, pts: number): boolean {
    const stdin = this.process.stdin;
    if (stdin === undefined || stdin.writableLength > this.maxPendingBytes) return false;
    stdin.write(ivfFrame(data, pts));
    return true;
  }

  /** Closes stdin (ffmpeg flushes and exits), then SIGTERM, then SIGKILL after graceMs. */
  kill(graceMs: number): Promise<void> {
    return this.process.kill(graceMs);
  }
}
