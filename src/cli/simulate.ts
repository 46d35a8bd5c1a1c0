import type { Command } from 'commander';
import { resolve } from 'node:path';
import { locateFfmpeg } from '../config/ffmpeg-path.js';
import { TsnError } from '../errors/index.js';
import { ensureActionClip, generateClip, startRtspSimulator } from '../../simulators/rtsp-camera/index.js';
import {
  parseActionsOption,
  clipPath,
  defaultClips,
  parseAuthOptions,
  planCameras,
} from '../../simulators/rtsp-camera/cli-options.js';
import { parseFaultOption } from '../../simulators/rtsp-camera/fault-schema.js';
import { startControlServer } from '../../simulators/rtsp-camera/control-server.js';
import { isDelayMs, maxDelayMs } from '../../simulators/rtsp-camera/cameras.js';
import {
  renderActionsDefaults as ra,
  runRenderActions,
  type RenderActionsFlags,
} from '../../simulators/actions/cli.js';
import { pathExists } from '../model/path-exists.js';

interface SimulateOptions {
  readonly host: string;
  readonly port: string;
  readonly camera: string[];
  readonly user?: string;
  readonly password?: string;
  readonly auth?: string;
  readonly fault: string[];
  readonly generate?: boolean;
  readonly clipsDir: string;
  readonly controlPort?: string;
  readonly actions: string[];
  readonly renderActions?: string;
  readonly staggerMs: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .description(
      'serve video files as live RTSP cameras (H.264, RTP over TCP or UDP) with faults on demand; ' +
        'prints one rtsp:// URL per camera on stdout, logs on stderr',
    )
    .argument('[files...]', 'video files, each served at rtsp://HOST:PORT/<base name without extension>')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--port <port>', 'RTSP port (0 = any free port)', '8554')
    .option('--camera <name=file>', 'serve FILE at /NAME (repeatable)', collect, [])
    .option('--user <user>', 'require this user name')
    .option('--password <password>', 'require this password')
    .option('--auth <scheme>', 'basic or digest (default digest)')
    .option(
      '--fault <name:key=value>',
      'start with a fault, e.g. lobby:packetLossPercent=5 (repeatable)',
      collect,
      [],
    )
    .option(
      '--stagger-ms <ms>',
      'delay each camera by up to MS (drawn from its name, at most 10000), so cameras sharing a file ' +
        'have their keyframes out of step, as real cameras do',
      '0',
    )
    .option('--generate', 'render default test clips (lavfi) when missing and serve them')
    .option('--clips-dir <dir>', 'where --generate keeps its clips', './.cache/sim-clips')
    .option(
      '--control-port <port>',
      'HTTP port for run-time faults: POST/DELETE /faults/:name, GET /cameras, GET /cameras/:name/schedule',
    )
    .option(
      '--actions <name=seed>',
      'serve a synthetic action camera at /NAME: a figure acting a seeded loop of actions with idle gaps ' +
        '(rendered once into --clips-dir; ground truth at GET /cameras/NAME/schedule) (repeatable)',
      collect,
      [],
    )
    // Rendered action clips (simulators/actions): writes files and exits instead of serving cameras.
    .option('--render-actions <dir>', 'render labelled action clips into DIR/<label>/ and exit')
    .option('--clips-per-label <n>', 'with --render-actions: clips per label', ra.clipsPerLabel)
    .option('--seed <n>', 'with --render-actions: seed of the clip set', ra.seed)
    .option('--seconds <s>', 'with --render-actions: clip length', ra.seconds)
    .option('--size <WxH>', 'with --render-actions: frame size (even numbers)', ra.size)
    .option('--fps <n>', 'with --render-actions: frame rate', ra.fps)
    .action((files: string[], opts: SimulateOptions) =>
      opts.renderActions === undefined
        ? runSimulate(files, opts)
        : renderActions(opts as SimulateOptions & RenderActionsFlags),
    );
}

async function renderActions(opts: RenderActionsFlags): Promise<void> {
  const ffmpeg = locateFfmpeg();
  if (ffmpeg === undefined) {
    throw new TsnError(
      'E_SIM_FFMPEG',
      'ffmpeg not found: install it (apt-get install ffmpeg) or set FFMPEG_PATH',
    );
  }
  await runRenderActions(opts, ffmpeg.path, (line) => void process.stderr.write(`tsn simulate: ${line}\n`));
}

async function runSimulate(files: readonly string[], opts: SimulateOptions): Promise<void> {
  const log = (line: string): void => void process.stderr.write(`tsn simulate: ${line}\n`);
  const ffmpeg = locateFfmpeg();
  if (ffmpeg === undefined) {
    throw new TsnError(
      'E_SIM_FFMPEG',
      'ffmpeg not found: install it (apt-get install ffmpeg) or set FFMPEG_PATH',
    );
  }
  const generated =
    opts.generate === true ? await ensureDefaultClips(ffmpeg.path, resolve(opts.clipsDir), log) : [];
  const actionCameras = [];
  for (const { name, seed } of opts.actions.map(parseActionsOption)) {
    log(`action camera ${name}: seed ${seed} (rendered into ${resolve(opts.clipsDir)} on first use)`);
    const clip = await ensureActionClip({ ffmpegPath: ffmpeg.path, dir: resolve(opts.clipsDir), seed });
    actionCameras.push({ name, file: clip.file, schedule: clip.schedule });
  }
  const cameras = planCameras({
    actionCameras,
    files,
    cameraOptions: opts.camera,
    generated,
    auth: parseAuthOptions(opts),
    faults: opts.fault.map(parseFaultOption),
    staggerMs: parseStaggerMs(opts.staggerMs),
  });
  const simulator = await startRtspSimulator({
    host: opts.host,
    port: parsePort(opts.port, '--port'),
    cameras,
    ffmpegPath: ffmpeg.path,
    logger: log,
  });
  const control =
    opts.controlPort === undefined
      ? undefined
      : await startControlServer(simulator, opts.host, parsePort(opts.controlPort, '--control-port'));
  if (control !== undefined)
    log(`control API on http://${opts.host}:${control.port} (/faults/:name, /cameras)`);
  for (const camera of cameras) process.stdout.write(`${simulator.url(camera.name)}\n`);
  await new Promise<void>((done) => {
    const stop = (signal: string): void => {
      log(`${signal}: closing`);
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      done();
    };
    const onInt = (): void => stop('SIGINT');
    const onTerm = (): void => stop('SIGTERM');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
  });
  await control?.close();
  await simulator.close();
}

async function ensureDefaultClips(
  ffmpegPath: string,
  clipsDir: string,
  log: (line: string) => void,
): Promise<string[]> {
  const paths: string[] = [];
  for (const clip of defaultClips) {
    const out = clipPath(clipsDir, clip);
    if (!(await pathExists(out))) {
      log(`rendering ${out} (${clip.pattern} ${clip.width}x${clip.height}, ${clip.seconds} s)`);
      await generateClip({ ffmpegPath, out, ...clip });
    }
    paths.push(out);
  }
  return paths;
}

function parseStaggerMs(text: string): number {
  const ms = Number(text);
  if (!isDelayMs(ms)) {
    throw new TsnError('E_SIM_ARGS', `--stagger-ms ${text}: expected whole ms from 0 to ${maxDelayMs}`, {
      context: { option: '--stagger-ms' },
    });
  }
  return ms;
}

function parsePort(text: string, option: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new TsnError('E_SIM_ARGS', `${option} ${text}: expected a port number 0-65535`, {
      context: { option },
    });
  }
  return port;
}
