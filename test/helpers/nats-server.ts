// A real nats-server for tests: own free port, own JetStream store directory, stop/kill/restart on the SAME
// port and store (so clients reconnect and the stream survives), and cleanup that leaves nothing behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasCommand } from './tools.js';

export const NATS_SERVER_BIN = '/usr/sbin/nats-server';

export function hasNatsServer(): boolean {
  return hasCommand(NATS_SERVER_BIN, ['--version']);
}

/** Asks the kernel for a free loopback port (bind to 0, read it, release it). */
export function freePort(): Promise<number> {
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

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface NatsServerHandle {
  readonly port: number;
  /** The running process (undefined while stopped); benches read its CPU time. */
  readonly pid: number | undefined;
  readonly url: string;
  readonly storeDir: string;
  /** SIGKILL: no graceful shutdown, clients see the socket die. */
  kill(): Promise<void>;
  /**
   * SIGSTOP: the server keeps its sockets open but answers nothing (a hung server, lost acks). Resolves once
   * the kernel reports the process stopped, so nothing sent afterwards can be answered.
   */
  freeze(): Promise<void>;
  /** SIGCONT after freeze(). */
  thaw(): void;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** Starts again on the same port and store directory; resolves once it accepts connections. */
  restart(): Promise<void>;
  /** Stops the server (if running) and deletes the store directory. */
  cleanup(): Promise<void>;
}

export interface StartNatsOptions {
  readonly jetstream?: boolean;
  /** A port chosen by the caller (e.g. to start a server where a client is already trying); default free. */
  readonly port?: number;
  /** Bound on waiting for the port to accept connections. */
  readonly readyTimeoutMs?: number;
  readonly extraArgs?: readonly string[];
}

export async function startNatsServer(options: StartNatsOptions = {}): Promise<NatsServerHandle> {
  const port = options.port ?? (await freePort());
  const storeDir = mkdtempSync(join(tmpdir(), 'tsn-nats-'));
  const readyTimeoutMs = options.readyTimeoutMs ?? 15_000;
  const args = [
    '-a',
    '127.0.0.1',
    '-p',
    String(port),
    ...(options.jetstream === false ? [] : ['-js', '-sd', storeDir]),
    ...(options.extraArgs ?? []),
  ];
  let child: ChildProcess | undefined;
  let output = '';

  const waitReady = async (proc: ChildProcess): Promise<void> => {
    const deadline = Date.now() + readyTimeoutMs;
    let backoffMs = 10;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        throw new Error(`nats-server exited early (${proc.exitCode ?? proc.signalCode}):\n${output}`);
      }
      // JetStream is ready once the server logs it; the port check covers servers without -js.
      const ready = options.jetstream === false || /Server is ready/.test(output);
      if (ready && (await canConnect(port))) return;
      await new Promise((r) => setTimeout(r, backoffMs));
      backoffMs = Math.min(backoffMs * 2, 100);
    }
    throw new Error(`nats-server on port ${port} not ready within ${readyTimeoutMs} ms:\n${output}`);
  };

  const launch = async (): Promise<void> => {
    output = '';
    const proc = spawn(NATS_SERVER_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    proc.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    await waitReady(proc);
  };

  const signalAndWait = async (signal: NodeJS.Signals): Promise<void> => {
    const proc = child;
    child = undefined;
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGCONT'); // a frozen server cannot act on SIGTERM
    proc.kill(signal);
    await exited;
  };

  await launch();
  return {
    port,
    get pid() {
      return child?.pid;
    },
    url: `nats://127.0.0.1:${port}`,
    storeDir,
    kill: () => signalAndWait('SIGKILL'),
    freeze: async () => {
      const pid = child?.pid;
      if (pid === undefined) throw new Error('nats-server is not running');
      child?.kill('SIGSTOP');
      const deadline = Date.now() + 5000;
      // /proc/<pid>/stat field 3 is the state; 'T' = stopped by a signal.
      while (readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'T') {
        if (Date.now() > deadline) throw new Error(`nats-server ${pid} did not stop within 5 s`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    thaw: () => void child?.kill('SIGCONT'),
    stop: () => signalAndWait('SIGTERM'),
    restart: async () => {
      await signalAndWait('SIGTERM');
      await launch();
    },
    cleanup: async () => {
      await signalAndWait('SIGKILL');
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

export interface NatsClusterHandle {
  readonly nodes: readonly NatsServerHandle[];
  /** Every node's client URL, for a client's server list. */
  readonly urls: readonly string[];
  /** Kills every node and deletes their store directories. */
  cleanup(): Promise<void>;
}

/**
 * A NATS cluster on loopback: `size` nats-servers routed to each other (--cluster/--routes), JetStream on
 * each with its own store directory. Resolves once every node accepts clients; JetStream's meta leader may
 * still be electing (callers probe with waitFor before relying on replicated streams or buckets).
 */
export async function startNatsCluster(size = 3, name = 'tsn-test'): Promise<NatsClusterHandle> {
  const clientPorts: number[] = [];
  const routePorts: number[] = [];
  for (let i = 0; i < size; i++) {
    clientPorts.push(await freePort());
    routePorts.push(await freePort());
  }
  const routes = routePorts.map((p) => `nats-route://127.0.0.1:${p}`).join(',');
  const started = await Promise.allSettled(
    clientPorts.map((port, i) =>
      startNatsServer({
        port,
        readyTimeoutMs: 30_000,
        extraArgs: [
          '--server_name',
          `${name}-${i}`,
          '--cluster_name',
          name,
          '--cluster',
          `nats://127.0.0.1:${routePorts[i]}`,
          '--routes',
          routes,
        ],
      }),
    ),
  );
  const nodes = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const cleanup = async (): Promise<void> => {
    await Promise.all(nodes.map((n) => n.cleanup()));
  };
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) {
    await cleanup();
    throw failed.reason;
  }
  return { nodes, urls: nodes.map((n) => n.url), cleanup };
}
