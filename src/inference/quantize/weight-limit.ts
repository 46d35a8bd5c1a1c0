/**
 * The largest int8 weight magnitude the QDQ graph may use on a CPU. onnxruntime's uint8 x int8 kernels
 * on x86 without VNNI (AVX2, AVX-512 before Cascade Lake / Zen 4) multiply with VPMADDUBSW, which adds
 * each pair of products into an int16 with saturation: 2 x 255 x 127 overflows it, and on the demo model
 * that wrecked the logits (correlation with float32 0.06 on a Zen 3). With weights within +-63 a pair is
 * at most 2 x 255 x 63 = 32130, exact (onnxruntime's own quantizer calls this reduce_range). VNNI
 * (VPDPBUSD) adds into int32, and ARM's dot-product kernels do too, so they keep the full 8 bits.
 */
export type Int8WeightLimit = 127 | 63;

export interface CpuFeatures {
  /** process.arch */
  readonly arch: string;
  /** Feature flags as Linux lists them in /proc/cpuinfo (empty when unknown). */
  readonly flags: ReadonlySet<string>;
}

export function int8WeightLimit(cpu: CpuFeatures): Int8WeightLimit {
  if (cpu.arch !== 'x64' && cpu.arch !== 'ia32') return 127;
  return cpu.flags.has('avx512_vnni') || cpu.flags.has('avx_vnni') ? 127 : 63;
}

/** What a limit means, for logs and tsn quantize's report. */
export function describeWeightLimit(limit: Int8WeightLimit): string {
  return limit === 127
    ? 'int8 weights (+-127)'
    : "7-bit weights (+-63): this CPU lacks VNNI, and onnxruntime's int8 kernels would overflow with 8";
}
