// Waiting on conditions with a deadline, never a fixed sleep.
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string | (() => string),
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delayMs = 2;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`,
      );
    }
    await new Promise((r) => setTimeout(r, delayMs));
    delayMs = Math.min(delayMs * 2, 50);
  }
}

/** Resolves with the first `count` items pushed, or rejects after `timeoutMs`. */
export function collect<T>(count: number, timeoutMs = 10_000): { push(item: T): void; done: Promise<T[]> } {
  const items: T[] = [];
  let resolve: (items: T[]) => void = () => undefined;
  let timer: NodeJS.Timeout | undefined;
  const done = new Promise<T[]>((res, rej) => {
    resolve = res;
    timer = setTimeout(
      () => rej(new Error(`got ${items.length} of ${count} items within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  return {
    push(item) {
      items.push(item);
      if (items.length === count) {
        clearTimeout(timer);
        resolve(items);
      }
    },
    done,
  };
}
