import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isTsnError } from '../../../src/errors/index.js';
import { resolveSourceUrl, schemeOf, supportedSchemes } from '../../../src/sources/registry.js';

const work = mkdtempSync(join(tmpdir(), 'tsn-registry-'));
const root = join(work, 'clips');
const outside = join(work, 'outside');
mkdirSync(root);
mkdirSync(outside);
writeFileSync(join(root, 'a.mp4'), 'x');
writeFileSync(join(outside, 'secret.mp4'), 'x');
symlinkSync(join(outside, 'secret.mp4'), join(root, 'escape.mp4'));
symlinkSync(join(root, 'a.mp4'), join(outside, 'inside-link.mp4'));
mkdirSync(join(root, 'dir.mp4'));
const policy = { fileRoots: [root] };
after(() => rmSync(work, { recursive: true, force: true }));

function refused(url: string, pattern?: RegExp): void {
  assert.throws(
    () => resolveSourceUrl(url, policy),
    (e: unknown) => isTsnError(e, 'E_SOURCE_URL') && (pattern === undefined || pattern.test(e.message)),
    url,
  );
}

describe('source registry (one table by URL scheme)', () => {
  test('the table covers rtsp, rtsps, http, https, file, sim and whip', () => {
    assert.deepEqual([...supportedSchemes].sort(), ['file', 'http', 'https', 'rtsp', 'rtsps', 'sim', 'whip']);
  });

  test('schemes ffmpeg would open but no camera needs are E_SOURCE_URL, naming what is allowed', () => {
    for (const url of [
      'concat:/etc/passwd|/etc/hosts',
      'unix:/var/run/docker.sock',
      'unix:///var/run/docker.sock',
      'tcp://127.0.0.1:9000?listen=1',
      'udp://0.0.0.0:9000',
      'gopher://127.0.0.1/x',
      'ftp://127.0.0.1/a.mp4',
      'data:video/mp4;base64,AAAA',
      'pipe:0',
      'subfile:,,start,0,end,100,,:/etc/passwd',
      'srt://host:9000',
      'rtmp://host/live',
      'hls+http://host/a.m3u8',
      'crypto:file:/etc/passwd',
      'async:file:/etc/passwd',
    ]) {
      refused(url, /is not a camera source; use rtsp:\/\/, rtsps:\/\/, http:\/\//);
    }
  });

  test('network URLs need a host; control characters and whitespace are refused', () => {
    refused('rtsp:/cam/live', /scheme:\/\/host/);
    refused('rtsp:///live', /host/);
    refused('http://', /host/);
    refused('rtsp://cam/live\n-i /etc/passwd', /control/);
    refused(' rtsp://cam/live', /whitespace/);
    refused('');
  });

  test('rtsp, rtsps, http(s) resolve to ffmpeg with their own whitelist; retries heal network faults', () => {
    const rtsp = resolveSourceUrl('rtsp://admin:Pa#Hash9xx@10.0.0.5:554/s1', policy);
    assert.ok(rtsp.driver === 'ffmpeg');
    assert.deepEqual([rtsp.kind, rtsp.protocolWhitelist], ['rtsp', 'rtsp,rtp,udp,tcp']);
    assert.deepEqual([...rtsp.permanentFaults], ['unsupported']);
    const hls = resolveSourceUrl('https://[::1]:8443/live.m3u8', policy);
    assert.ok(hls.driver === 'ffmpeg');
    assert.equal(hls.kind, 'url');
    assert.equal(
      hls.protocolWhitelist.split(',').includes('file'),
      false,
      'a playlist cannot name file: segments',
    );
  });

  test('errors never carry the credentials, even with an unencoded # ? / in the password', () => {
    for (const url of [
      'ftp://admin:hunter22@cam/x',
      'ftp://admin:Pa#hunter22@cam/x',
      'gopher://admin:Pa?hunter22@cam/x',
      'rtsp://admin:Pa/hunter22@/x',
    ]) {
      try {
        resolveSourceUrl(url, policy);
        assert.fail('should throw');
      } catch (error) {
        assert.ok(isTsnError(error, 'E_SOURCE_URL'), url);
        assert.equal(JSON.stringify(error).includes('hunter22'), false, url);
        assert.equal(String(error).includes('hunter22'), false, url);
      }
    }
  });

  test('a file under the roots resolves to its real path; missing files are permanent faults', () => {
    for (const url of [
      join(root, 'a.mp4'),
      pathToFileURL(join(root, 'a.mp4')).href,
      join(outside, 'inside-link.mp4'),
    ]) {
      const target = resolveSourceUrl(url, policy);
      assert.ok(target.driver === 'ffmpeg', url);
      assert.deepEqual([target.kind, target.protocolWhitelist], ['file', 'file']);
      assert.match(target.input, /clips\/a\.mp4$/);
      assert.ok(target.permanentFaults.has('not-found') && target.permanentFaults.has('not-video'));
    }
  });

  test('files outside the roots are refused alike whether they exist or not (no probing), symlinks followed', () => {
    const outsideRoots = /outside the directories .*sources\.fileRoots/;
    refused(join(outside, 'secret.mp4'), outsideRoots);
    refused(join(outside, 'nonexistent.mp4'), outsideRoots);
    refused('/etc/passwd', outsideRoots);
    refused('file:///etc/passwd', outsideRoots);
    refused(join(root, '..', 'outside', 'secret.mp4'), outsideRoots);
    refused(join(root, 'escape.mp4'), outsideRoots);
  });

  test('inside the roots: missing files and non-regular files are refused before ffmpeg', () => {
    refused(join(root, 'nope.mp4'), /names no file/);
    refused(join(root, 'dir.mp4'), /not a regular file/);
    refused('notaurl', /outside the directories/);
    refused('file://otherhost/a.mp4', /local file/);
  });

  test('no roots (library use): any existing regular file', () => {
    assert.equal(resolveSourceUrl(join(outside, 'secret.mp4')).driver, 'ffmpeg');
    assert.throws(() => resolveSourceUrl('/dev/null'), /not a regular file/);
  });

  test('sim:// checks its file against the roots; whip:// needs nothing', () => {
    const sim = resolveSourceUrl(`sim://door?file=${join(root, 'a.mp4')}`, policy);
    assert.ok(sim.driver === 'sim');
    assert.equal(sim.name, 'door');
    assert.match(sim.file ?? '', /clips\/a\.mp4$/);
    refused(`sim://door?file=${join(outside, 'secret.mp4')}`, /outside the directories/);
    refused('sim://door?file=/etc/passwd', /outside the directories/);
    refused('sim://door?cmd=x', /unknown parameter/);
    assert.equal(resolveSourceUrl('sim://door?pattern=smpte', policy).driver, 'sim');
    // Synthetic action cameras (the offline demo of npm start): a seed, checked by the simulated camera.
    assert.equal(resolveSourceUrl('sim://lobby?actions=1', policy).driver, 'sim');
    assert.equal(resolveSourceUrl('whip://', policy).driver, 'whip');
  });

  test('schemeOf: paths starting with / or . are paths even with a colon', () => {
    assert.equal(schemeOf('./a:b.mp4'), '');
    assert.equal(schemeOf('/x/a:b.mp4'), '');
    assert.equal(schemeOf('clips/a.mp4'), '');
    assert.equal(schemeOf('RTSP://cam'), 'rtsp');
    assert.equal(schemeOf('concat:a|b'), 'concat');
  });
});
