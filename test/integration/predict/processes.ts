import { readdirSync, readFileSync } from 'node:fs';

/** Pids of live processes whose command line contains marker (read from /proc: Linux only). */
export function processesMentioning(marker: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (cmdline.includes(marker)) pids.push(Number(name));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}
