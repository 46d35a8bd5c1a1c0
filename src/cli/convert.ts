import type { Command } from 'commander';

export function registerConvertCommand(program: Command): void {
  program.command('convert').description('(not built yet)');
}
