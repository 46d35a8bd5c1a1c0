import type { BackoffStep } from './options.js';

/**
 * The wait before retry number `failures` (1-based count of consecutive failures), or undefined when the
 * schedule is exhausted (only possible when no step repeats forever).
 */
export function backoffDelayMs(steps: readonly BackoffStep[], failures: number): number | undefined {
  let remaining = failures;
  for (const step of steps) {
    const times = step.times ?? Infinity;
    if (remaining <= times) return step.delayMs;
    remaining -= times;
  }
  return undefined;
}
