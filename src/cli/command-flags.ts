// Flag parsing shared by the tsn commands.
import { homedir } from 'node:os';
import type { Config } from '../config/index.js';
import { TsnError } from '../errors/index.js';
import { DEMO_MODEL_NAME, publishedModels, resolveModelDir } from '../model-store/index.js';
import type { BackendOptions } from '../inference/backend.js';

/** Throws E_USAGE `command: message`, naming the flag in its context. */
export type Usage = (message: string, flag: string) => never;

export function usageFor(command: string): Usage {
  return (message, flag) => {
    throw new TsnError('E_USAGE', `${command}: ${message}`, { context: { flag } });
  };
}

export function integerFlag(command: string, flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new TsnError(
      'E_USAGE',
      `${command}: ${flag} must be an integer from ${min} to ${max}, got ${text}`,
      { context: { flag } },
    );
  return value;
}

export function numberFlag(command: string, flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || value > max)
    throw new TsnError('E_USAGE', `${command}: ${flag} must be a number from ${min} to ${max}, got ${text}`, {
      context: { flag },
    });
  return value;
}

export function backendFlags(command: string, flags: { backend: string; threads: string }): BackendOptions {
  if (flags.backend !== 'onnx' && flags.backend !== 'tfjs')
    throw new TsnError('E_USAGE', `${command}: --backend must be onnx or tfjs, got ${flags.backend}`, {
      context: { flag: '--backend' },
    });
  return {
    backend: flags.backend,
    executionProviders: ['cpu'],
    threads: integerFlag(command, '--threads', flags.threads, 0, 1024),
  };
}

/**
 * A model directory as given, or a model name (demo-actions, tsn_k400, tsn_k400_8) resolved through the
 * model store's default cache (~/.cache/tsn-stream/models), as tsn serve does.
 */
export async function resolveModelArg(model: string): Promise<string> {
  const names: readonly string[] = [DEMO_MODEL_NAME, ...Object.keys(publishedModels)];
  if (!names.includes(model)) return model;
  const log = {
    info: (fields: Record<string, unknown>, message: string) =>
      void process.stderr.write(`${message} ${JSON.stringify(fields)}\n`),
  };
  const config = { name: model, cacheDir: '~/.cache/tsn-stream/models', download: true, urls: {} };
  const { dir } = await resolveModelDir(config as unknown as Config['model'], { log, homeDir: homedir() });
  return dir;
}
