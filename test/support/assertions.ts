// Assertions shared by the unit tests.
import * as assert from 'node:assert/strict';
import { RoleSwitchError, type ErrorCode } from '../../src/core/errors';

/**
 * Asserts that `action` fails with a RoleSwitchError of `code` whose message matches every
 * pattern, and returns that error for further checks. `action` is a promise, or a function
 * that throws or returns one (resolveSourceChain throws synchronously, resolveSession rejects).
 */
export async function rejectsCode(action: Promise<unknown> | (() => unknown), code: ErrorCode, ...messages: RegExp[]): Promise<RoleSwitchError> {
  let failed = false;
  let error: unknown;
  try {
    await (typeof action === 'function' ? action() : action);
  } catch (e) {
    failed = true;
    error = e;
  }
  assert.ok(failed, `expected a RoleSwitchError ${code}, but it succeeded`);
  assert.ok(error instanceof RoleSwitchError, `expected RoleSwitchError, got ${String(error)}`);
  assert.equal(error.code, code, error.message);
  for (const m of messages) assert.match(error.message, m);
  return error;
}
