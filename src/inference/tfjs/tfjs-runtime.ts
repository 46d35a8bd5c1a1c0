import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type * as tfNamespace from '@tensorflow/tfjs';
import { TsnError } from '../../errors/index.js';

export type Tf = typeof tfNamespace;

export interface TfRuntime {
  readonly tf: Tf;
  /** e.g. "tensorflow (@tensorflow/tfjs-node-gpu)" or "wasm". */
  readonly flavour: string;
}

/**
 * Native TensorFlow bindings are optional: they download libtensorflow at install time, which fails on
 * many hosts, so they are imported only if someone installed them. The specifier is a variable so
 * neither TypeScript nor a bundler tries to resolve them.
 */
async function importOptional(specifier: string): Promise<Tf | undefined> {
  try {
    const loaded = (await import(specifier)) as Tf & { default?: Tf };
    // A CommonJS package's namespace may expose only `default` (its module.exports).
    return loaded.default ?? loaded;
  } catch {
    return undefined;
  }
}

/**
 * Picks the fastest tfjs backend present: tfjs-node-gpu, tfjs-node, the wasm backend (SIMD, single
 * thread under Node), then the pure-JS cpu backend. tfjs keeps its active backend in a process-wide
 * engine, so every tfjs Backend in one process shares this choice.
 */
export async function loadTfRuntime(): Promise<TfRuntime> {
  for (const specifier of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    const tf = await importOptional(specifier);
    if (tf && (await tf.setBackend('tensorflow'))) return { tf, flavour: `tensorflow (${specifier})` };
  }
  const tf = await import('@tensorflow/tfjs');
  if (await startWasm(tf)) return { tf, flavour: 'wasm' };
  if (await tf.setBackend('cpu')) return { tf, flavour: 'cpu' };
  throw new TsnError(
    'E_BACKEND_UNAVAILABLE',
    'No tfjs backend could start (tried tfjs-node-gpu, tfjs-node, wasm, cpu).',
  );
}

async function startWasm(tf: Tf): Promise<boolean> {
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    // The package's Node entry lives in dist/ next to the .wasm binaries; a plain file path prefix
    // makes Emscripten read them with fs instead of fetch.
    const wasmDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
    // The threaded build spawns browser-style workers from a Blob URL, which Node cannot run.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    wasm.setWasmPaths(`${wasmDir}/`);
    return await tf.setBackend('wasm');
  } catch {
    return false;
  }
}
