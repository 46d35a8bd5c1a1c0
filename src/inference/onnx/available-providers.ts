import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { listSupportedBackends } from 'onnxruntime-node';

/**
 * Providers this installation can actually load. onnxruntime-node lists cuda/tensorrt as supported
 * but not bundled: their shared libraries only exist when the package was installed with
 * ONNXRUNTIME_NODE_INSTALL=cuda12, next to the native binding.
 */
export function availableExecutionProviders(): string[] {
  const bindingDir = nativeBindingDir();
  return listSupportedBackends()
    .filter((b) => b.bundled || providerLibraryExists(bindingDir, b.name))
    .map((b) => b.name);
}

function nativeBindingDir(): string {
  const entry = createRequire(import.meta.url).resolve('onnxruntime-node');
  return join(dirname(entry), '..', 'bin', 'napi-v6', process.platform, process.arch);
}

function providerLibraryExists(dir: string, name: string): boolean {
  const file =
    process.platform === 'win32'
      ? `onnxruntime_providers_${name}.dll`
      : `libonnxruntime_providers_${name}.so`;
  return existsSync(join(dir, file));
}
