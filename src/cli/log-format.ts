// Logs for people on a terminal, JSON lines for machines: pino writes JSON either way; on a TTY this small
// destination turns each line into "HH:MM:SS LEVEL message key=value ..." (no extra dependency).
import { pino, type Logger } from 'pino';

const levelNames: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
const levelColours: Readonly<Record<number, string>> = { 40: '\x1b[33m', 50: '\x1b[31m', 60: '\x1b[31m' };
// Fields every line carries: shown elsewhere (time, level) or noise on a terminal.
const hidden = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'service']);

/** One pino JSON line as a human-readable line (a line that is not JSON passes through unchanged). */
export function formatLogLine(line: string, colour: boolean): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const level = typeof record.level === 'number' ? record.level : 30;
  const time = typeof record.time === 'number' ? new Date(record.time).toISOString().slice(11, 19) : '';
  const name = (levelNames[level] ?? String(level)).padEnd(5);
  const fields = Object.entries(record)
    .filter(([key]) => !hidden.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  const msg = typeof record.msg === 'string' ? record.msg : '';
  const tint = colour ? (levelColours[level] ?? '') : '';
  const reset = tint === '' ? '' : '\x1b[0m';
  return `${time} ${tint}${name}${reset} ${[msg, ...fields].filter((s) => s !== '').join('  ')}\n`;
}

export interface LogStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

/** The CLI's logger: human-readable when `out` is a terminal, JSON lines otherwise. */
export function createCliLogger(level: string, out: LogStream = process.stdout): Logger {
  const options = { level, base: { service: 'tsn-stream' } };
  if (out.isTTY !== true) return pino(options);
  return pino(options, { write: (line: string) => void out.write(formatLogLine(line, true)) });
}
