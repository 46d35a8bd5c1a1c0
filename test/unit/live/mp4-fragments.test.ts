import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codecOf, Mp4FragmentSplitter } from '../../../src/live/mp4-fragments.js';

function box(type: string, payload: Buffer = Buffer.alloc(4)): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + payload.length, 0);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, payload]);
}

// avcC: version 1, profile 0x64 (High), compatibility 0x00, level 0x1f (3.1).
const moov = box('moov', box('trak', box('avcC', Buffer.from([1, 0x64, 0x00, 0x1f, 0xff]))));
const stream = Buffer.concat([
  box('ftyp'),
  moov,
  box('moof', Buffer.alloc(20, 1)),
  box('mdat', Buffer.alloc(100, 2)),
  box('moof', Buffer.alloc(20, 3)),
  box('mdat', Buffer.alloc(50, 4)),
]);

test('init segment (ftyp + moov) with its codec, then one piece per moof + mdat, whatever the chunking', () => {
  for (const chunkBytes of [1, 7, 64, stream.length]) {
    const splitter = new Mp4FragmentSplitter();
    const pieces = [];
    for (let i = 0; i < stream.length; i += chunkBytes)
      pieces.push(...splitter.push(stream.subarray(i, i + chunkBytes)));
    assert.deepEqual(
      pieces.map((p) => [p.kind, p.bytes.length, p.kind === 'init' ? p.codec : null]),
      [
        ['init', 12 + moov.length, 'avc1.64001f'],
        ['fragment', 28 + 108],
        ['fragment', 28 + 58],
      ].map(([k, n, c]) => [k, n, c ?? null]),
      `chunks of ${chunkBytes}`,
    );
    assert.ok(pieces[1]?.bytes.equals(stream.subarray(12 + moov.length, 12 + moov.length + 136)));
  }
});

test('a non-H.264 init segment has no codec (the live view transcodes); a broken box size throws', () => {
  assert.equal(codecOf(Buffer.concat([box('ftyp'), box('moov', box('hvcC'))])), undefined);
  const bad = Buffer.alloc(8);
  bad.writeUInt32BE(3, 0);
  bad.write('moof', 4, 'latin1');
  assert.throws(() => new Mp4FragmentSplitter().push(bad), /bad MP4 box "moof" of 3 bytes/);
});
