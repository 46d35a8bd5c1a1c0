// tsn finetune / tsn eval: labelled clip sets.
import type { ErrorCatalog } from './catalog.js';

export const trainingErrors = {
  /** A --data directory or list file that cannot be used (missing, empty label, bad line, unknown label). */
  E_DATASET: { status: 400 },
} as const satisfies ErrorCatalog;
