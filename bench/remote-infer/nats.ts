// A nats-server owned by bench:remote: loopback, a free port, no JetStream (remote inference is plain
// request/reply), stopped by the bench on every exit path.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createConnection, createServer } from 'node:net';

export interface BenchNats {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export function natsServerBinary(): string | undefined {
  for (const candidate of ['/usr/sbin/nats-server', 'nats-server']) {
    const r = spawnSync(candidate, ['--version'], { stdio: 'ignore' });
    if (r.error === undefined && r.status === 0) return candidate;
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The server's default max_payload (1 MB) holds 6 frames; the edge splits larger batches. */
export async function startBenchNats(binary: string): Promise<BenchNats> {
  const port = await freePort();
  const child: ChildProcess = spawn(binary, ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + 15_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`nats-server did not accept connections on ${port}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `nats://127.0.0.1:${port}`, pid: child.pid!, stop };
}
