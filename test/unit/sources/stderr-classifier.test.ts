import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classifyExit, classifyLine, stripPrefixes } from '../../../src/sources/stderr-classifier.js';
import { fixturesDir } from '../../helpers/paths.js';

// Real ffmpeg 5.1 stderr (-loglevel level+warning), captured against fake RTSP/HTTP servers and files.
function sample(name: string): string[] {
  return readFileSync(join(fixturesDir, 'sources', 'stderr', `${name}.txt`), 'utf8')
    .split('\n')
    .filter((l) => l !== '');
}

describe('classifyExit on real ffmpeg stderr', () => {
  const cases: [string, string][] = [
    ['rtsp_401', 'auth'],
    ['http_401', 'auth'],
    ['rtsp_404', 'not-found'],
    ['http_404', 'not-found'],
    ['file_missing', 'not-found'],
    ['rtsp_refused', 'refused'],
    ['rtsp_dns', 'dns'],
    ['rtsp_503', 'refused'],
    ['file_invalid', 'not-video'],
    ['file_text', 'not-video'],
    ['whitelist_refused', 'unsupported'],
  ];
  for (const [name, kind] of cases) {
    test(`${name} -> ${kind}`, () => {
      const fault = classifyExit(sample(name), 1);
      assert.equal(fault.kind, kind);
      assert.equal(fault.message.startsWith('['), false, 'prefixes stripped');
    });
  }

  test("an RTSP server's invalid answer is a protocol fault, not a non-video input", () => {
    assert.equal(classifyExit(sample('rtsp_hang'), 1, null, { rtsp: true }).kind, 'protocol');
    assert.equal(classifyExit(sample('file_text'), 1, null, { rtsp: true }).kind, 'protocol');
    assert.equal(classifyExit(sample('file_text'), 1).kind, 'not-video');
  });

  test('a DNS failure is dns, not refused', () => {
    const fault = classifyExit(sample('rtsp_dns'), 1);
    assert.deepEqual(fault.kind, 'dns');
    assert.match(fault.message, /Failed to resolve hostname/);
  });

  test('decode errors of a corrupt stream classify as codec', () => {
    assert.equal(classifyExit(sample('decode_corrupt'), 1).kind, 'codec');
  });

  test('the most specific line wins over trailing noise', () => {
    const lines = [...sample('rtsp_401'), ...sample('decode_corrupt')];
    assert.equal(classifyExit(lines, 1).kind, 'auth');
  });

  test('no explanation: clean end, killed, or unknown with the last line', () => {
    assert.deepEqual(classifyExit([], 0), { kind: 'exited', message: 'the stream ended' });
    assert.equal(classifyExit([], null, 'SIGKILL').kind, 'exited');
    assert.deepEqual(classifyExit(['[error] something odd'], 1), {
      kind: 'unknown',
      message: 'something odd',
    });
    assert.equal(classifyExit([], 1).kind, 'unknown');
  });

  test('a timeout option inside a URL is not a timeout', () => {
    assert.equal(
      classifyLine('[tcp @ 0x1] [error] Connection to tcp://h:1?timeout=2000000 failed: Connection refused'),
      'refused',
    );
    assert.equal(classifyLine('[udp @ 0x1] [error] Connection timed out'), 'timeout');
  });

  test('stripPrefixes removes the component and level tags', () => {
    assert.equal(
      stripPrefixes('[rtsp @ 0x55c0] [error] method DESCRIBE failed: 401 Unauthorized'),
      'method DESCRIBE failed: 401 Unauthorized',
    );
  });
});
