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
