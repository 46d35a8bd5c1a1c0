// KvMirror against a bucket whose watcher can go silent, as one does when the NATS node holding its
// consumer dies: verify() notices that the mirror has not reached the bucket's last revision by the next
// check and resumes from the last revision it applied; a watcher that keeps up is left alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KV, KvEntry, KvWatchOptions } from 'nats';
import { KvMirror } from '../../../src/cluster/kv-mirror.js';

/**
 * An async iterator fed by push(), like the QueuedIterator kv.watch() returns: a function in the queue
 * (initializedFn) is called in order instead of being yielded.
 */
class FakeWatcher {
  private readonly queued: (KvEntry | (() => void))[] = [];
  private wake: (() => void) | undefined;
  private ended: Error | true | undefined;

  push(entry: KvEntry | (() => void)): void {
    this.queued.push(entry);
    this.wake?.();
  }
  stop(error?: Error): void {
    this.ended = error ?? true;
    this.wake?.();
  }
  async *[Symbol.asyncIterator](): AsyncGenerator<KvEntry> {
    for (;;) {
      const next = this.queued.shift();
      if (typeof next === 'function') next();
      else if (next !== undefined) yield next;
      else if (this.ended instanceof Error) throw this.ended;
      else if (this.ended === true) return;
      else await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

/** A history-1 bucket: the latest entry (or delete marker) per key, revisions from one sequence. */
class FakeBucket {
  lastSeq = 0;
  readonly latest = new Map<string, KvEntry>();
  readonly watches: { options: KvWatchOptions; watcher: FakeWatcher }[] = [];

  write(key: string, value: string | null): KvEntry {
    const entry = {
      key,
      value: new TextEncoder().encode(value ?? ''),
      revision: ++this.lastSeq,
      operation: value === null ? 'DEL' : 'PUT',
    } as unknown as KvEntry;
    this.latest.set(key, entry);
    return entry;
  }

  /** Writes and delivers to the newest watcher (the live one). */
  writeLive(key: string, value: string | null): void {
    this.watches.at(-1)!.watcher.push(this.write(key, value));
  }

  asKv(): KV {
    return {
      watch: (options: KvWatchOptions = {}) => {
        const watcher = new FakeWatcher();
        const from = options.resumeFromRevision ?? 0;
        const current = [...this.latest.values()].filter((e) => e.revision >= from);
        for (const e of current.sort((a, b) => a.revision - b.revision)) watcher.push(e);
        this.watches.push({ options, watcher });
        if (options.initializedFn !== undefined) watcher.push(options.initializedFn);
        return Promise.resolve(watcher);
      },
      status: () => Promise.resolve({ streamInfo: { state: { last_seq: this.lastSeq } } }),
    } as unknown as KV;
  }
}

const text = (mirror: KvMirror, key: string) => {
  const entry = mirror.get(key);
  return entry === undefined ? undefined : new TextDecoder().decode(entry.value);
};
const has = (mirror: KvMirror, key: string, value: string | undefined) =>
  mirror.until(
    key,
    (e) => (e === undefined ? value === undefined : new TextDecoder().decode(e.value) === value),
    2000,
  );

test('a silent watcher is resumed from the last revision applied; what it missed arrives', async () => {
  const bucket = new FakeBucket();
  bucket.write('a', 'edge-1');
  bucket.write('b', 'edge-2');
  const mirror = new KvMirror(bucket.asKv());
  await mirror.start();
  assert.equal(text(mirror, 'a'), 'edge-1');
  assert.equal(text(mirror, 'b'), 'edge-2');

  bucket.writeLive('c', 'edge-3');
  assert.ok(await has(mirror, 'c', 'edge-3'));
  assert.equal(await mirror.verify(), false, 'caught up: nothing to do');
  assert.equal(await mirror.verify(), false);

  // The node holding the watcher's consumer dies: writes go on, nothing is delivered.
  bucket.write('d', 'edge-1');
  bucket.write('a', null);
  assert.equal(await mirror.verify(), false, 'one check behind may be a watcher in flight');
  assert.equal(await mirror.verify(), true, 'still behind at the next check: resumed');
  assert.equal(bucket.watches.length, 2);
  assert.equal(bucket.watches[1]!.options.resumeFromRevision, 4, 'from the revision after the last applied');
  assert.ok(await has(mirror, 'd', 'edge-1'));
  assert.ok(await has(mirror, 'a', undefined), 'a delete it missed is applied');
  assert.equal(mirror.restarts, 1);

  // The resumed watcher is the live one.
  bucket.writeLive('e', 'edge-2');
  assert.ok(await has(mirror, 'e', 'edge-2'));
  assert.equal(await mirror.verify(), false);
  assert.equal(await mirror.verify(), false);
  assert.equal(mirror.restarts, 1);
  await mirror.close();
});

test('a watcher that ended (its consumer could not be recreated) is resumed at the next check', async () => {
  const bucket = new FakeBucket();
  bucket.write('a', 'edge-1');
  const mirror = new KvMirror(bucket.asKv());
  await mirror.start();
  bucket.watches[0]!.watcher.stop(new Error('unable to recreate ordered consumer'));
  bucket.write('b', 'edge-2');
  // Whether the pump has seen the end yet or not, the next check finds the mirror behind or ended.
  const resumed = (await mirror.verify()) || (await mirror.verify());
  assert.ok(resumed);
  assert.equal(mirror.restarts, 1);
  assert.ok(await has(mirror, 'b', 'edge-2'));
  assert.equal(text(mirror, 'a'), 'edge-1', 'what it had is kept');
  await mirror.close();
});

test('close() ends the watcher; verify() afterwards does nothing', async () => {
  const bucket = new FakeBucket();
  const mirror = new KvMirror(bucket.asKv());
  await mirror.start();
  await mirror.close();
  bucket.write('a', 'edge-1');
  assert.equal(await mirror.verify(), false);
  assert.equal(await mirror.verify(), false);
  assert.equal(bucket.watches.length, 1);
});

test('overlapping checks share one: a slow status request does not resume the watcher twice', async () => {
  const bucket = new FakeBucket();
  bucket.write('a', 'edge-1');
  const mirror = new KvMirror(bucket.asKv());
  await mirror.start();
  bucket.write('b', 'edge-2');
  await mirror.verify();
  const [first, second] = await Promise.all([mirror.verify(), mirror.verify()]);
  assert.deepEqual([first, second], [true, true], 'both callers get the one result');
  assert.equal(mirror.restarts, 1);
  assert.equal(bucket.watches.length, 2);
  await mirror.close();
});
