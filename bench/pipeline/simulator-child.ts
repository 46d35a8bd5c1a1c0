// The RTSP simulator in its own process, so the cameras' side of the benchmark (one x264 encoder per
// feed, RTP packetization per session) is measured apart from the service's and does not share its event
// loop. Usage: node simulator-child.js '{"ffmpegPath": "...", "feeds": [{"name": "a", "file": "..."}]}'.
// Prints one JSON line {"port": N} when listening; stops on SIGTERM/SIGINT or when stdin closes (the
// parent died), so it never outlives the benchmark.
import { startRtspSimulator } from '../../simulators/rtsp-camera/index.js';
import type { Feed } from './simulator.js';

interface ChildConfig {
  readonly ffmpegPath: string;
  readonly feeds: readonly Feed[];
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as ChildConfig;
  const simulator = await startRtspSimulator({
    port: 0,
    ffmpegPath: config.ffmpegPath,
    cameras: config.feeds.map((f) => ({ name: f.name, file: f.file, delayMs: f.delayMs ?? 0 })),
  });
  process.stdout.write(`${JSON.stringify({ port: simulator.port })}\n`);
  await new Promise<void>((done) => {
    process.once('SIGTERM', done);
    process.once('SIGINT', done);
    process.stdin.once('end', done);
    process.stdin.once('close', done);
    process.stdin.resume();
  });
  await simulator.close();
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`simulator: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
