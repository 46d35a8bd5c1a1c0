// CPU and memory of a process tree from /proc (Linux): utime + stime of /proc/<pid>/stat and VmRSS of
// /proc/<pid>/status. Descendants are found through the parent pid field of every /proc/<pid>/stat, so a
// child that exited between two samples simply stops counting (its CPU is then lost, which the caller
// avoids by sampling while the tree is stable).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export const clockTicksPerSecond =
  Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

export interface ProcSample {
  readonly pid: number;
  readonly parentPid: number;
  /** The command name (stat field 2, without parentheses). */
  readonly command: string;
  readonly cpuSeconds: number;
}

/** One process's stat line, or undefined when it is gone. */
export function readProc(pid: number): ProcSample | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const close = stat.lastIndexOf(')');
  const command = stat.slice(stat.indexOf('(') + 1, close);
  // After ") " come state, ppid, ... ; utime and stime are stat fields 14 and 15 (11 and 12 here).
  const fields = stat.slice(close + 2).split(' ');
  return {
    pid,
    parentPid: Number(fields[1]),
    command,
    cpuSeconds: (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond,
  };
}

/** Resident set size in bytes (0 when the process is gone). */
export function rssBytesOf(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match === null ? 0 : Number(match[1]) * 1024;
  } catch {
    return 0;
  }
}

/**
 * Proportional set size in bytes (shared pages divided among the processes sharing them), so the sum over
 * N ffmpeg processes does not count their shared libraries N times. 0 when the process is gone.
 */
export function pssBytesOf(pid: number): number {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const match = /^Pss:\s+(\d+)\s+kB/m.exec(rollup);
    return match === null ? 0 : Number(match[1]) * 1024;
  } catch {
    return 0;
  }
}

/** Every live descendant of root (not root itself). */
export function descendantsOf(root: number): ProcSample[] {
  const all: ProcSample[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const sample = readProc(Number(name));
    if (sample !== undefined) all.push(sample);
  }
  const children = new Map<number, ProcSample[]>();
  for (const p of all) {
    const list = children.get(p.parentPid) ?? [];
    list.push(p);
    children.set(p.parentPid, list);
  }
  const out: ProcSample[] = [];
  const walk = (pid: number): void => {
    for (const child of children.get(pid) ?? []) {
      out.push(child);
      walk(child.pid);
    }
  };
  walk(root);
  return out;
}

/** Whole-machine busy and total jiffies from /proc/stat (for the share other users took). */
export function machineJiffies(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const total = values.reduce((a, b) => a + b, 0);
  // idle + iowait are fields 4 and 5 of the cpu line.
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: total - idle, total };
}

export function loadAverage(): [number, number, number] {
  const parts = readFileSync('/proc/loadavg', 'utf8').split(' ').map(Number);
  return [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0];
}
