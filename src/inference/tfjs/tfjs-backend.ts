import { TsnError } from '../../errors/index.js';
import type { Model } from '../../model/types.js';
import type { Backend, BackendOptions } from '../backend.js';

export async function createTfjsBackend(_model: Model, _options: BackendOptions): Promise<Backend> {
  throw new TsnError('E_BACKEND_UNAVAILABLE', 'tfjs backend not built yet.');
}
