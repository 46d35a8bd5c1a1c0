import assert from 'node:assert/strict';
import { isTsnError, type ErrorCode } from '../../../../src/errors/index.js';

export function assertCode(fn: () => unknown, code: ErrorCode): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isTsnError(e), `expected TsnError ${code}, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return true;
  });
}

export async function assertRejectsCode(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(isTsnError(e), `expected TsnError ${code}, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return true;
  });
}
