// Child program for no-leak.test.ts: starts a source, waits for a state, closes it, and then does
// nothing. If close() left a timer, socket or child behind, this process does not exit by itself.
import { filter, firstValueFrom } from 'rxjs';
import { createCameraSource } from '../../../src/sources/index.js';

const [url, waitFor] = process.argv.slice(2);
const source = createCameraSource(
  {
    id: 'leak-probe',
    url: url ?? '',
    sampleFps: 4,
    loop: true,
    // Long enough that any timer left armed would keep the process alive well past the test's deadline.
    stallTimeoutMs: 120_000,
    connectTimeoutMs: 120_000,
    killGraceMs: 120_000,
    backoff: [{ delayMs: 120_000 }],
  },
  { ffmpegPath: 'ffmpeg' },
);
source.frames$.subscribe(() => undefined);
source.start();
await firstValueFrom(source.status$.pipe(filter((s) => s.state === waitFor)));
await source.close();
console.log('closed');
