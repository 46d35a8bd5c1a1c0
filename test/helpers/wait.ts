// The one way tests wait for something: poll a probe until it yields a value, with a deadline whose error
// names what was awaited. Never a fixed sleep.

/** What a probe yields while the awaited thing has not happened yet. */
type NotYet = false | undefined | null;

/**
 * Polls `probe` (backing off from 2 ms to 50 ms) until it returns something other than false, undefined or
 * null, and resolves with that value; rejects after `timeoutMs` with a message naming `what`.
 */
export async function waitFor<T>(
  what: string | (() => string),
  probe: () => T | Promise<T>,
  timeoutMs = 60_000,
): Promise<Exclude<T, NotYet>> {
  const deadline = Date.now() + timeoutMs;
  let delayMs = 2;
  for (;;) {
    const value = await probe();
    if (value !== false && value !== undefined && value !== null) return value as Exclude<T, NotYet>;
    if (Date.now() > deadline) {
      const name = typeof what === 'string' ? what : what();
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${name}`);
    }
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    delayMs = Math.min(delayMs * 2, 50);
  }
}
