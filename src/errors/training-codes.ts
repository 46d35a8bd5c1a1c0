// tsn finetune / tsn eval: labelled clip sets.
export const trainingErrorCodes = [
  /** A --data directory or list file that cannot be used (missing, empty label, bad line, unknown label). */
  'E_DATASET',
] as const;
