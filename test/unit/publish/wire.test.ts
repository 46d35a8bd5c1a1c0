import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeWire, toWireEvent, toWirePrediction, toWireStatus } from '../../../src/publish/wire.js';
import { assertMatchesSchema, loadSchema } from '../../helpers/json-schema.js';
import { endedEvent, sampleEvent, samplePrediction, sampleStatuses } from './samples.js';

const roundTrip = (value: Parameters<typeof encodeWire>[0]): unknown =>
  JSON.parse(encodeWire(value).toString('utf8'));

describe('wire messages match schemas/*.v1.json', () => {
  test('events (started and ended)', () => {
    assertMatchesSchema('event', roundTrip(toWireEvent(sampleEvent())));
    assertMatchesSchema('event', roundTrip(toWireEvent(endedEvent())));
  });

  test('predictions', () => {
    const wire = roundTrip(toWirePrediction(samplePrediction()));
    assertMatchesSchema('prediction', wire);
    assert.deepEqual(wire, {
      schemaVersion: 1,
      type: 'prediction',
      camera: 'cam-1',
      modelId: 'tsn-r50-k400@abc123',
      at: '2026-01-02T03:04:05.678Z',
      atMs: Date.parse('2026-01-02T03:04:05.678Z'),
      window: {
        startMs: 12_000,
        endMs: 14_000,
        numSeg: 3,
        startWallMs: Date.parse('2026-01-02T03:04:03.678Z'),
        endWallMs: Date.parse('2026-01-02T03:04:05.678Z'),
      },
      segmentIndices: [4, 5, 6],
      top: [
        { index: 1, label: 'walking', score: 0.8 },
        { index: 0, label: 'falling', score: 0.12 },
      ],
    });
  });

  test('every camera status state', () => {
    for (const status of sampleStatuses)
      assertMatchesSchema('status', roundTrip(toWireStatus('cam-1', status)));
  });

  test('endReason appears on action.ended only when set', () => {
    assert.equal((roundTrip(toWireEvent(endedEvent())) as { endReason?: string }).endReason, 'score');
    assert.equal('endReason' in (roundTrip(toWireEvent(sampleEvent())) as object), false);
  });

  test('event JSON carries exactly the contract fields, no internal extras', () => {
    const withExtra = { ...sampleEvent(), internalCounter: 7 } as ReturnType<typeof sampleEvent>;
    const wire = roundTrip(toWireEvent(withExtra)) as Record<string, unknown>;
    assert.equal('internalCounter' in wire, false);
    assert.deepEqual(Object.keys(wire), [
      'schemaVersion',
      'id',
      'type',
      'episodeId',
      'camera',
      'label',
      'labelIndex',
      'score',
      'peakScore',
      'startedAt',
      'startedAtMs',
      'endedAt',
      'endedAtMs',
      'window',
      'top',
      'modelId',
    ]);
  });
});

describe('the schema check itself rejects broken messages', () => {
  const event = (): Record<string, unknown> =>
    roundTrip(toWireEvent(sampleEvent())) as Record<string, unknown>;
  const cases: [string, (e: Record<string, unknown>) => void][] = [
    ['missing id', (e) => delete e.id],
    ['extra field', (e) => (e.extra = 1)],
    ['bad type', (e) => (e.type = 'action.paused')],
    ['bad date', (e) => (e.startedAt = '2026-01-02 03:04')],
    ['negative label index', (e) => (e.labelIndex = -1)],
    ['fractional label index', (e) => (e.labelIndex = 1.5)],
    ['schema version 2', (e) => (e.schemaVersion = 2)],
    ['window without numSeg', (e) => (e.window = { startMs: 0, endMs: 1 })],
    ['top item with extra key', (e) => (e.top = [{ index: 0, label: 'a', score: 0.1, x: 1 }])],
    ['endedAt number', (e) => (e.endedAt = 5)],
    ['unknown end reason', (e) => (e.endReason = 'bored')],
  ];
  for (const [name, mutate] of cases) {
    test(name, () => {
      const e = event();
      mutate(e);
      assert.notDeepEqual(loadSchema('event').validate(e), []);
    });
  }

  test('a status with the fields of another state is rejected', () => {
    const wire = roundTrip(toWireStatus('cam-1', sampleStatuses[4]!)) as Record<string, unknown>;
    assert.deepEqual(loadSchema('status').validate(wire), []);
    assert.notDeepEqual(loadSchema('status').validate({ ...wire, width: 10 }), []);
    assert.notDeepEqual(loadSchema('status').validate({ ...wire, state: 'streaming' }), []);
  });
});
