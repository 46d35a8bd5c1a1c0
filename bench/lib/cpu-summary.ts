import { cpus } from 'node:os';
import { hostCpu } from '../../src/inference/onnx/host-cpu.js';
import { int8WeightLimit } from '../../src/inference/quantize/weight-limit.js';

/** Vector extensions that decide float32 and int8 speed (/proc/cpuinfo names). */
const VECTOR_FLAGS = ['avx2', 'avx512f', 'avx512_vnni', 'avx_vnni'];

/**
 * What a result file says about the CPU: machines of one kind differ (Zen 3 with AVX2 only, Zen 4 with
 * AVX-512 VNNI) and the int8 graph differs with them (weight-limit.ts).
 */
export function cpuSummary(): { count: number; model: string; vector: string[]; int8WeightLimit: number } {
  const cpu = hostCpu();
  return {
    count: cpus().length,
    model: cpus()[0]?.model ?? 'unknown',
    vector: VECTOR_FLAGS.filter((f) => cpu.flags.has(f)),
    int8WeightLimit: int8WeightLimit(cpu),
  };
}
