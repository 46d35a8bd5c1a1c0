import { readFileSync } from 'node:fs';
import type { CpuFeatures } from '../quantize/weight-limit.js';

/** This machine's architecture and CPU flags (Linux's /proc/cpuinfo; no flags elsewhere). */
export function hostCpu(): CpuFeatures {
  return { arch: process.arch, flags: cpuFlags(readCpuInfo()) };
}

export function cpuFlags(cpuinfo: string): ReadonlySet<string> {
  const line = /^flags\s*:(.*)$/m.exec(cpuinfo);
  return new Set((line?.[1] ?? '').trim().split(/\s+/).filter(Boolean));
}

function readCpuInfo(): string {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return '';
  }
}
