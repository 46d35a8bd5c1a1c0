import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PacketFaults, mergeFaults, seededRandom } from '../../../simulators/rtsp-camera/faults.js';
import { parseFaultOption } from '../../../simulators/rtsp-camera/fault-schema.js';
import { parseAuthOptions, planCameras } from '../../../simulators/rtsp-camera/cli-options.js';
import { isTsnError } from '../../../src/errors/index.js';

test('the seeded RNG repeats for a seed and differs between seeds', () => {
  const a = seededRandom(42);
  const b = seededRandom(42);
  const c = seededRandom(43);
  const xs = Array.from({ length: 5 }, () => a());
  assert.deepEqual(
    Array.from({ length: 5 }, () => b()),
    xs,
  );
  assert.notDeepEqual(
    Array.from({ length: 5 }, () => c()),
    xs,
  );
  assert.ok(xs.every((x) => x >= 0 && x < 1));
});

test('packet faults drop and corrupt about the requested share, never a header byte', () => {
  const faults = new PacketFaults({ packetLossPercent: 10, corruptPercent: 20, seed: 3 });
  const verdicts = Array.from({ length: 10_000 }, () => faults.verdict(100));
  const drops = verdicts.filter((v) => v.kind === 'drop').length;
  const corrupt = verdicts.filter((v) => v.kind === 'corrupt');
  assert.ok(drops > 900 && drops < 1100, `drops ${drops}`);
  assert.ok(corrupt.length > 1600 && corrupt.length < 2000, `corrupt ${corrupt.length}`);
  assert.ok(corrupt.every((v) => v.kind === 'corrupt' && v.byteIndex >= 2 && v.byteIndex < 100));
  const none = new PacketFaults({});
  assert.ok(Array.from({ length: 100 }, () => none.verdict(10)).every((v) => v.kind === 'send'));
});

test('fault merges keep earlier fields', () => {
  assert.deepEqual(mergeFaults({ stall: true, slowStartMs: 5 }, { slowStartMs: 9, refuse: undefined }), {
    stall: true,
    slowStartMs: 9,
  });
});

test('--fault NAME:KEY=VALUE', () => {
  assert.deepEqual(parseFaultOption('lobby:stall'), { camera: 'lobby', fault: { stall: true } });
  assert.deepEqual(parseFaultOption('lobby:refuse=false'), { camera: 'lobby', fault: { refuse: false } });
  assert.deepEqual(parseFaultOption('a:b:packetLossPercent=2.5'), {
    camera: 'a:b',
    fault: { packetLossPercent: 2.5 },
  });
  assert.deepEqual(parseFaultOption('lobby:changeResolution=640x360@3000'), {
    camera: 'lobby',
    fault: { changeResolution: { width: 640, height: 360, afterMs: 3000 } },
  });
  for (const bad of [
    'lobby',
    'lobby:nope=1',
    'lobby:packetLossPercent=200',
    'lobby:dropAfterMs=x',
    'x:changeResolution=big',
  ]) {
    assert.throws(
      () => parseFaultOption(bad),
      (e) => isTsnError(e, 'E_SIM_ARGS'),
      bad,
    );
  }
});

test('the camera plan names files by base name and attaches auth and faults', () => {
  const auth = parseAuthOptions({ user: 'u', password: 'p', auth: 'basic' });
  const specs = planCameras({
    files: ['/v/lobby.mp4'],
    cameraOptions: ['door=/v/x.mkv'],
    generated: [],
    auth,
    faults: [parseFaultOption('door:stall')],
  });
  assert.deepEqual(specs, [
    { name: 'lobby', file: '/v/lobby.mp4', auth: { username: 'u', password: 'p', scheme: 'basic' } },
    {
      name: 'door',
      file: '/v/x.mkv',
      auth: { username: 'u', password: 'p', scheme: 'basic' },
      faults: { stall: true },
    },
  ]);
  const plan = (over: Partial<Parameters<typeof planCameras>[0]>): unknown =>
    planCameras({ files: [], cameraOptions: [], generated: [], auth: undefined, faults: [], ...over });
  assert.throws(
    () => plan({}),
    (e) => isTsnError(e, 'E_SIM_ARGS'),
  );
  assert.throws(
    () => plan({ files: ['a.mp4'], faults: [parseFaultOption('b:stall')] }),
    (e) => isTsnError(e, 'E_SIM_ARGS'),
  );
  assert.throws(
    () => parseAuthOptions({ user: 'u' }),
    (e) => isTsnError(e, 'E_SIM_ARGS'),
  );
  assert.equal(parseAuthOptions({})?.scheme, undefined);
  assert.equal(parseAuthOptions({ user: 'u', password: 'p' })?.scheme, 'digest');
});
