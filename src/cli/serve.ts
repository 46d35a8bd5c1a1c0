import type { Command } from 'commander';
import type { Logger } from 'pino';
import { loadConfig, type Config, type ConfigFlags } from '../config/index.js';
import { reportError } from './report-error.js';
import { createCliLogger } from './log-format.js';

interface ServeOptions {
  readonly config?: string;
  readonly model?: string;
  readonly camera: string[];
  readonly port?: string;
  readonly nats?: string;
  readonly backend?: string;
  readonly role?: string;
}

/** What `tsn serve` runs: the service the composition root (src/main.ts) assembles. */
export type StartServe = (config: Config, logger: Logger) => Promise<ServeHandle>;

interface ServeHandle {
  /** Resolves once the model is loaded and the cameras started (rejects if that failed). */
  readonly started: Promise<void>;
  close(): Promise<void>;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];
const CLOSE_TIMEOUT_MS = 20_000;

export function registerServeCommand(program: Command, start: StartServe): void {
  program
    .command('serve')
    .description(
      'run the service: cameras -> TSN -> action events on NATS, WebSocket and HTTP ' +
        '(config: YAML file, then TSN_* environment variables, then these flags)',
    )
    .option('--config <file>', 'YAML configuration (see configs/default.yaml)')
    .option('--model <dir|name>', 'model directory, or tsn_k400 / tsn_k400_8 (downloaded once)')
    .option(
      '--camera <name=url>',
      'add a camera, or replace the URL of camera NAME (repeatable)',
      collect,
      [],
    )
    .option('--port <port>', 'HTTP port')
    .option('--nats <url>', 'NATS server URL (enables NATS publishing)')
    .option('--backend <name>', 'inference backend: onnx or tfjs')
    .option('--role <role>', 'all (default: one process), edge (owns cameras) or infer (runs the model)')
    .action(async (options: ServeOptions) => serve(options, start));
}

async function serve(options: ServeOptions, start: StartServe): Promise<void> {
  const flags: ConfigFlags = {
    camera: options.camera,
    ...(options.model === undefined ? {} : { model: options.model }),
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.nats === undefined ? {} : { nats: options.nats }),
    ...(options.backend === undefined ? {} : { backend: options.backend }),
    ...(options.role === undefined ? {} : { role: options.role }),
  };
  const config = loadConfig({ ...(options.config === undefined ? {} : { file: options.config }), flags });
  const logger = createCliLogger(config.logLevel);
  const service = await start(config, logger);
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  const failed = service.started.then(
    () => undefined,
    (error: unknown) => ({ error }),
  );
  const first = await Promise.race([failed, stopSignal]);
  const outcome = first === undefined ? await stopSignal : first;
  if (typeof outcome === 'string') logger.info({ signal: outcome }, 'shutting down');
  const timer = setTimeout(() => {
    logger.error({ timeoutMs: CLOSE_TIMEOUT_MS }, 'shutdown took too long; exiting anyway');
    process.exit(1);
  }, CLOSE_TIMEOUT_MS);
  await service.close();
  clearTimeout(timer);
  logger.flush();
  // A long-running command owns its exit: nothing left behind may keep a failed service alive.
  process.exit(typeof outcome === 'string' ? 0 : reportError(outcome.error));
}
