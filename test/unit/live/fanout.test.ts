import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LiveFanout, type LiveViewer } from '../../../src/live/fanout.js';

class FakeViewer implements LiveViewer {
  readonly got: string[] = [];
  buffered = 0;
  dropped = false;
  sendText(text: string): void {
    this.got.push(`text:${JSON.parse(text).op}`);
  }
  sendBinary(bytes: Buffer): void {
    this.got.push(`bin:${bytes.toString()}`);
  }
  bufferedBytes(): number {
    return this.buffered;
  }
  drop(): void {
    this.dropped = true;
  }
}

const frag = (s: string) => ({ kind: 'fragment', bytes: Buffer.from(s) }) as const;
const init = { op: 'init', codec: 'avc1.42e01e', mode: 'copy' } as const;

test('viewers get init first, then whole fragments; a late viewer starts at the next fragment', () => {
  const fanout = new LiveFanout(1000);
  const early = new FakeViewer();
  fanout.add(early);
  fanout.push(frag('before-init'));
  fanout.setInit(init, Buffer.from('INIT'));
  fanout.push(frag('f1'));
  const late = new FakeViewer();
  fanout.add(late);
  fanout.push(frag('f2'));
  assert.deepEqual(early.got, ['text:init', 'bin:INIT', 'bin:f1', 'bin:f2']);
  assert.deepEqual(late.got, ['text:init', 'bin:INIT', 'bin:f2']);
});

test('a viewer over its buffer bound is dropped, not waited for; the others keep getting every fragment', () => {
  const fanout = new LiveFanout(1000);
  const fast = new FakeViewer();
  const slow = new FakeViewer();
  fanout.add(fast);
  fanout.add(slow);
  fanout.setInit(init, Buffer.from('INIT'));
  slow.buffered = 1001;
  fanout.push(frag('f1'));
  fanout.push(frag('f2'));
  assert.equal(slow.dropped, true);
  assert.deepEqual(slow.got, ['text:init', 'bin:INIT']);
  assert.deepEqual(fast.got, ['text:init', 'bin:INIT', 'bin:f1', 'bin:f2']);
  assert.deepEqual(fanout.stats(), { viewers: 1, fragments: 2, bytesSent: 12, slowViewersDropped: 1 });
});

test('after the encoder stops, viewers wait for the new init segment before any fragment', () => {
  const fanout = new LiveFanout(1000);
  const viewer = new FakeViewer();
  fanout.add(viewer);
  fanout.setInit(init, Buffer.from('A'));
  fanout.clearInit();
  fanout.push(frag('stale'));
  fanout.setInit({ ...init, mode: 'transcode' }, Buffer.from('B'));
  fanout.push(frag('f'));
  assert.deepEqual(viewer.got, ['text:init', 'bin:A', 'text:init', 'bin:B', 'bin:f']);
});
