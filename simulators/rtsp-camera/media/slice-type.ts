import { NalType, nalType } from '../h264/annexb.js';
import type { AccessUnit } from '../h264/access-units.js';

/** Reads unsigned Exp-Golomb codes from a byte array, MSB first. */
function readUe(bytes: Buffer, bitOffset: number): { value: number; next: number } | undefined {
  let bit = bitOffset;
  const at = (i: number): number => ((bytes[i >> 3] ?? 0) >> (7 - (i & 7))) & 1;
  let zeros = 0;
  while (at(bit) === 0) {
    zeros++;
    bit++;
    if (zeros > 31 || bit >= bytes.length * 8) return undefined;
  }
  bit++;
  let value = 0;
  for (let i = 0; i < zeros; i++) value = value * 2 + at(bit++);
  return { value: 2 ** zeros - 1 + value, next: bit };
}

/**
 * slice_type of a coded slice (H.264 7.3.3: first_mb_in_slice ue(v), slice_type ue(v) right after the
 * one-byte NAL header); undefined for other NAL units. 0/5 P, 1/6 B, 2/7 I, 3/8 SP, 4/9 SI.
 */
export function sliceType(nal: Buffer): number | undefined {
  const type = nalType(nal);
  if (type !== NalType.nonIdrSlice && type !== NalType.idrSlice) return undefined;
  const first = readUe(nal, 8);
  if (first === undefined) return undefined;
  return readUe(nal, first.next)?.value;
}

/** Does the access unit hold a B slice (so the stream reorders pictures)? */
export function hasBSlice(unit: AccessUnit): boolean {
  return unit.nals.some((n) => sliceType(n) !== undefined && (sliceType(n) ?? 0) % 5 === 1);
}
