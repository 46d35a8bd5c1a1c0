import type { Command } from 'commander';

export function registerPredictCommand(program: Command): void {
  program.command('predict').description('(not built yet)');
}
