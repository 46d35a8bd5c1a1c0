// Composition root: the one place that reads the environment (through config), builds the commands and
// wires modules together. `tsn serve`'s runtime assembly is its part in src/compose/, which nothing else
// in src/ imports (eslint.config.js); the commands get what they run from here.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { pino } from 'pino';
import { config as rxjsConfig } from 'rxjs';
import { registerConvertCommand } from './cli/convert.js';
import { registerEvalCommand } from './cli/eval.js';
import { registerFinetuneCommand } from './cli/finetune.js';
import { registerPredictCommand } from './cli/predict.js';
import { registerQuantizeCommand } from './cli/quantize.js';
import { registerSimulateCommand } from './cli/simulate.js';
import { registerServeCommand } from './cli/serve.js';
import { reportError } from './cli/report-error.js';
import { startService } from './compose/start-service.js';
import { locateFfmpeg } from './config/ffmpeg-path.js';
import { ErrorReporter } from './service/error-reporter.js';

// rxjs's default rethrows a subscriber's throw from a timer, which kills the process: log and count instead
// (stderr: stdout may carry a command's output). `tsn serve` swaps in its logger and shows the counts.
const errors = new ErrorReporter(pino({ base: { service: 'tsn-stream' } }, pino.destination(2)));
rxjsConfig.onUnhandledError = (error) => errors.report(error, 'rxjs');

const program = new Command('tsn')
  .description('tsn-stream: real-time action recognition with PaddleVideo TSN')
  .version(packageVersion(), '-V, --version', 'print the version')
  .showHelpAfterError();
registerConvertCommand(program);
registerPredictCommand(program);
registerQuantizeCommand(program);
registerSimulateCommand(program);
registerServeCommand(program, (config, logger) => {
  errors.useLogger(logger);
  return startService(config, { logger, ffmpegPath: locateFfmpeg()?.path, errors });
});
registerFinetuneCommand(program);
registerEvalCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = reportError(error);
}

function packageVersion(): string {
  // dist/src/main.js -> package.json at the package root.
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}
