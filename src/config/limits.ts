// Node timers take at most 2^31-1 ms; a larger value fires after 1 ms instead (a hot reconnect or
// heartbeat loop), so every duration that becomes a timer is capped in the schema.
import { z } from 'zod';

export const MAX_TIMER_MS = 2 ** 31 - 1;
export const TIMER_CAP_MESSAGE = `at most ${MAX_TIMER_MS} ms (24.8 days, the longest a Node timer can wait)`;

/** A duration in ms that may be 0 and becomes a timer. */
export const timerMs = () => z.number().int().nonnegative().max(MAX_TIMER_MS, TIMER_CAP_MESSAGE);
/** A positive duration in ms that becomes a timer. */
export const positiveTimerMs = () => z.number().int().positive().max(MAX_TIMER_MS, TIMER_CAP_MESSAGE);
