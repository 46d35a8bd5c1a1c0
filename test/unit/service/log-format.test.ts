import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCliLogger, formatLogLine } from '../../../src/cli/log-format.js';

test('a pino line becomes time, level, message and fields', () => {
  const line = JSON.stringify({
    level: 40,
    time: Date.UTC(2026, 0, 2, 3, 4, 5),
    pid: 1,
    hostname: 'h',
    service: 'tsn-stream',
    msg: 'no camera',
    hint: 'add one',
    cameras: ['a'],
  });
  assert.equal(formatLogLine(line, false), '03:04:05 WARN  no camera  hint=add one  cameras=["a"]\n');
  assert.ok(formatLogLine(line, true).includes('\u001b[33mWARN \u001b[0m'));
  assert.equal(formatLogLine('not json', false), 'not json\n');
});

test('the logger writes human lines to a terminal and JSON elsewhere', () => {
  const tty: string[] = [];
  createCliLogger('info', { isTTY: true, write: (t: string) => tty.push(t) }).info({ port: 1 }, 'listening');
  assert.match(tty.join(''), /^\d\d:\d\d:\d\d INFO {2}listening {2}port=1\n$/);
});
