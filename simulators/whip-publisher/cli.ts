#!/usr/bin/env node
// node dist/simulators/whip-publisher/cli.js --url http://127.0.0.1:8080/v1/whip/cam1 --file clip.mp4
//   [--codec h264|vp8] [--token T] [--fps 25] [--height 360] [--replace] [--ffmpeg PATH]
// Publishes until SIGINT/SIGTERM, then ends the session with DELETE.
import { parseArgs } from 'node:util';
import { startWhipPublisher } from './publisher.js';

const usage =
  'usage: whip-publisher --url URL --file FILE [--codec h264|vp8] [--token T] [--fps N] [--height H] [--replace] [--ffmpeg PATH]';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      file: { type: 'string' },
      codec: { type: 'string', default: 'h264' },
      token: { type: 'string' },
      fps: { type: 'string', default: '25' },
      height: { type: 'string' },
      replace: { type: 'boolean', default: false },
      ffmpeg: { type: 'string', default: 'ffmpeg' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const codec = values.codec;
  const fps = Number(values.fps);
  if (
    values.url === undefined ||
    values.file === undefined ||
    (codec !== 'h264' && codec !== 'vp8') ||
    !(fps > 0)
  ) {
    console.error(usage);
    return 2;
  }
  const publisher = await startWhipPublisher({
    url: values.url,
    file: values.file,
    codec,
    fps,
    ffmpegPath: values.ffmpeg,
    replace: values.replace,
    ...(values.token === undefined ? {} : { token: values.token }),
    ...(values.height === undefined ? {} : { height: Number(values.height) }),
  });
  console.log(`publishing ${values.file} (${codec}) as ${publisher.location}; Ctrl-C ends the session`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await publisher.close();
  const stats = publisher.stats();
  console.log(`session ended: ${stats.framesSent} frames, ${stats.packetsSent} RTP packets sent`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
