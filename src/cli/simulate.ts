import type { Command } from 'commander';

export function registerSimulateCommand(program: Command): void {
  program.command('simulate').description('(not built yet)');
}
