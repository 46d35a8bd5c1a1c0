import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TsnError } from '../../../src/errors/index.js';
import { ErrorReporter } from '../../../src/service/error-reporter.js';

test('ErrorReporter logs and counts by code; a non-TsnError is E_SERVICE_UNHANDLED; a throwing logger is survived', () => {
  const lines: Record<string, unknown>[] = [];
  const reporter = new ErrorReporter({ warn: (fields) => lines.push(fields) });
  reporter.report(new TsnError('E_PIPELINE_SUBSCRIBER', 'a subscriber threw'), 'pipeline');
  reporter.report(new TsnError('E_PIPELINE_SUBSCRIBER', 'again'), 'pipeline');
  reporter.report(new Error('escaped'), 'rxjs');
  assert.deepEqual(reporter.counts(), [
    ['E_PIPELINE_SUBSCRIBER', 2],
    ['E_SERVICE_UNHANDLED', 1],
  ]);
  assert.deepEqual(
    lines.map((l) => [l.code, l.source, l.err]),
    [
      ['E_PIPELINE_SUBSCRIBER', 'pipeline', 'a subscriber threw'],
      ['E_PIPELINE_SUBSCRIBER', 'pipeline', 'again'],
      ['E_SERVICE_UNHANDLED', 'rxjs', 'escaped'],
    ],
  );
  reporter.useLogger({
    warn: () => {
      throw new Error('logger down');
    },
  });
  assert.doesNotThrow(() => reporter.report('a string', 'rxjs'));
  assert.deepEqual(reporter.counts(), [
    ['E_PIPELINE_SUBSCRIBER', 2],
    ['E_SERVICE_UNHANDLED', 2],
  ]);
});
