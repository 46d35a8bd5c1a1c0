import { z } from 'zod';
import { TsnError } from '../../src/errors/index.js';
import type { FaultSpec } from './types.js';

const percent = z.number().min(0).max(100);
const dimension = z.number().int().min(16).max(8192);

/** The FaultSpec as a strict schema: the HTTP control endpoint and the CLI accept nothing else. */
export const faultSpecSchema = z
  .object({
    dropAfterMs: z.number().int().min(0).exactOptional(),
    stall: z.boolean().exactOptional(),
    refuse: z.boolean().exactOptional(),
    slowStartMs: z.number().int().min(0).exactOptional(),
    packetLossPercent: percent.exactOptional(),
    corruptPercent: percent.exactOptional(),
    changeResolution: z
      .object({ width: dimension, height: dimension, afterMs: z.number().int().min(0).exactOptional() })
      .strict()
      .exactOptional(),
    seed: z.number().int().exactOptional(),
  })
  .strict();

export function validateFaultSpec(value: unknown, where: string): FaultSpec {
  const result = faultSpecSchema.safeParse(value);
  if (result.success) return result.data;
  const detail = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  throw new TsnError('E_SIM_ARGS', `invalid fault in ${where}: ${detail}`, { context: { where } });
}

const booleanKeys = new Set(['stall', 'refuse']);
const numberKeys = new Set(['dropAfterMs', 'slowStartMs', 'packetLossPercent', 'corruptPercent', 'seed']);

/**
 * Parses the CLI form NAME:KEY=VALUE, e.g. `lobby:stall=true`, `lobby:packetLossPercent=5`,
 * `lobby:changeResolution=640x360@3000` (size, then optional @afterMs).
 */
export function parseFaultOption(text: string): { camera: string; fault: FaultSpec } {
  const eq = text.indexOf('=');
  const colon = text.lastIndexOf(':', eq < 0 ? text.length : eq);
  if (colon <= 0) throw argsError(text, 'expected NAME:KEY[=VALUE]');
  const camera = text.slice(0, colon);
  const key = eq < 0 ? text.slice(colon + 1) : text.slice(colon + 1, eq);
  const value = eq < 0 ? undefined : text.slice(eq + 1);
  let fault: Record<string, unknown>;
  if (booleanKeys.has(key)) {
    if (value !== undefined && !['true', 'false', '1', '0'].includes(value))
      throw argsError(text, `${key} takes true or false`);
    fault = { [key]: value === undefined || value === 'true' || value === '1' };
  } else if (numberKeys.has(key)) {
    if (value === undefined || value === '' || !Number.isFinite(Number(value)))
      throw argsError(text, `${key} takes a number`);
    fault = { [key]: Number(value) };
  } else if (key === 'changeResolution') {
    const m = /^(\d+)x(\d+)(?:@(\d+))?$/.exec(value ?? '');
    if (m === null) throw argsError(text, 'changeResolution takes WIDTHxHEIGHT[@AFTER_MS]');
    fault = {
      changeResolution: {
        width: Number(m[1]),
        height: Number(m[2]),
        ...(m[3] === undefined ? {} : { afterMs: Number(m[3]) }),
      },
    };
  } else {
    throw argsError(text, `unknown fault ${key}`);
  }
  return { camera, fault: validateFaultSpec(fault, `--fault ${text}`) };
}

function argsError(text: string, detail: string): TsnError {
  return new TsnError('E_SIM_ARGS', `--fault ${text}: ${detail}`, { context: { option: text } });
}
