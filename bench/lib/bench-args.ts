// A bench's command line: --help prints its usage; an unknown or malformed flag names itself, prints the
// usage and exits 2. Neither is a stack trace (node:util's parseArgs throws on both). Benches with their
// own tested flag parser wrap it in flagsOrExit.
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

export function parseBenchArgs<const T extends Options>(
  name: string,
  usage: string,
  options: T,
  argv: readonly string[] = process.argv.slice(2),
): ReturnType<typeof parseArgs<{ options: T; args: string[] }>>['values'] {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  try {
    return parseArgs({ options, args: [...argv] }).values;
  } catch (error) {
    process.stderr.write(`${name}: ${(error as Error).message}\n${usage}\n`);
    process.exit(2);
  }
}

/** Runs a bench's own flag parser; what it throws is a bad flag: named with the usage, exit 2. */
export function flagsOrExit<T>(name: string, usage: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    const message = (error as Error).message;
    process.stderr.write(`${name}: ${message}${message.includes(usage) ? '' : `\n${usage}`}\n`);
    process.exit(2);
  }
}
