import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_FILTER,
  matchesFilter,
  parseClientCommand,
  parseFilterQuery,
  type SubscriptionFilter,
} from '../../../src/publish/websocket/filter.js';
import { toWireEvent, toWirePrediction, toWireStatus } from '../../../src/publish/wire.js';
import { endedEvent, sampleEvent, samplePrediction, sampleStatuses } from './samples.js';

const q = (s: string): URLSearchParams => new URLSearchParams(s);

function filterOf(query: string): SubscriptionFilter {
  const r = parseFilterQuery(q(query));
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.filter;
}

describe('WebSocket filter parsing (golden)', () => {
  test('query strings', () => {
    assert.deepEqual(filterOf(''), DEFAULT_FILTER);
    assert.deepEqual(filterOf('token=abc'), DEFAULT_FILTER);
    assert.deepEqual(filterOf('cameras=a,b&labels=x&types=action.started,prediction&minScore=0.5'), {
      cameras: ['a', 'b'],
      labels: ['x'],
      types: ['action.started', 'prediction'],
      minScore: 0.5,
    });
    assert.deepEqual(filterOf('cameras=a&cameras=b,%20c%20,,a'), {
      ...DEFAULT_FILTER,
      cameras: ['a', 'b', 'c'],
    });
    assert.deepEqual(filterOf('types=status'), { ...DEFAULT_FILTER, types: ['status'] });
    assert.deepEqual(filterOf('types='), DEFAULT_FILTER);
    assert.deepEqual(filterOf('minScore=1'), { ...DEFAULT_FILTER, minScore: 1 });
  });

  test('invalid query strings are errors', () => {
    for (const bad of [
      'types=bogus',
      'minScore=abc',
      'minScore=-0.1',
      'minScore=2',
      'minScore=',
      'colour=red',
    ]) {
      const r = parseFilterQuery(q(bad));
      assert.equal(r.ok, false, bad);
    }
  });

  test('subscribe and ping messages', () => {
    assert.deepEqual(
      parseClientCommand('{"op":"subscribe","cameras":["a"],"types":["status"],"minScore":0.25}'),
      {
        ok: true,
        command: {
          op: 'subscribe',
          filter: { cameras: ['a'], labels: [], types: ['status'], minScore: 0.25 },
        },
      },
    );
    assert.deepEqual(parseClientCommand('{"op":"subscribe"}'), {
      ok: true,
      command: { op: 'subscribe', filter: DEFAULT_FILTER },
    });
    assert.deepEqual(parseClientCommand('{"op":"subscribe","labels":"x,y"}'), {
      ok: true,
      command: { op: 'subscribe', filter: { ...DEFAULT_FILTER, labels: ['x', 'y'] } },
    });
    assert.deepEqual(parseClientCommand('{"op":"ping"}'), { ok: true, command: { op: 'ping' } });
  });

  test('invalid messages are errors', () => {
    const bad = [
      'not json',
      '[]',
      'null',
      '{"cameras":["a"]}',
      '{"op":"unsubscribe"}',
      '{"op":"subscribe","cameras":[1]}',
      '{"op":"subscribe","cameras":{"a":1}}',
      '{"op":"subscribe","minScore":"high"}',
      '{"op":"subscribe","types":["action.*"]}',
      '{"op":"subscribe","extra":true}',
      '{"op":"ping","x":1}',
    ];
    for (const text of bad) assert.equal(parseClientCommand(text).ok, false, text);
  });
});

describe('WebSocket filter matching (golden)', () => {
  const started = toWireEvent(sampleEvent()); // cam-1 falling 0.91
  const ended = toWireEvent(endedEvent()); // cam-1 falling 0.2
  const other = toWireEvent(sampleEvent({ camera: 'cam-2', label: 'waving', score: 0.6 }));
  const prediction = toWirePrediction(samplePrediction()); // cam-1 top walking 0.8
  const status = toWireStatus('cam-1', sampleStatuses[1]!);
  const all = { started, ended, other, prediction, status };

  const golden: [string, string[]][] = [
    ['', ['started', 'ended', 'other']],
    ['cameras=cam-1', ['started', 'ended']],
    ['labels=waving', ['other']],
    ['minScore=0.5', ['started', 'other']],
    ['types=action.ended', ['ended']],
    ['types=prediction,status', ['prediction', 'status']],
    ['types=prediction&labels=walking&minScore=0.8', ['prediction']],
    ['types=prediction&labels=falling', []],
    ['types=status&labels=nothing&minScore=0.99', ['status']],
    ['types=status&cameras=cam-2', []],
    ['types=action.started,action.ended,prediction,status&cameras=cam-2', ['other']],
  ];
  for (const [query, expected] of golden) {
    test(`?${query} -> ${expected.join(',') || '(none)'}`, () => {
      const f = filterOf(query);
      const matched = Object.entries(all)
        .filter(([, m]) => matchesFilter(f, m))
        .map(([name]) => name);
      assert.deepEqual(matched, expected);
    });
  }
});
