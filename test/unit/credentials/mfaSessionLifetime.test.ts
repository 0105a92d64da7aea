import * as assert from 'node:assert/strict';
import { mfaSessionKey, MfaSessionCache, type MfaSession } from '../../../src/core/credentials/mfaSessions';
import { parseMfaClearedAt, parseMfaSessions, serializeMfaSessions } from '../../../src/core/session/storedSessions';

const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);
const HOUR = 3600_000;

function mfaSession(device: string, expiresAt: number): MfaSession {
  const serial = `arn:aws:iam::111111111111:mfa/${device}`;
  return { key: mfaSessionKey('base', 'AKIAEXAMPLEBASE00001', serial), sourceProfile: 'base', mfaSerial: serial, credentials: { accessKeyId: `ASIA${device.toUpperCase()}EXAMPLE0001`, secretAccessKey: `secret-${device}`, sessionToken: `token-${device}` }, expiresAt };
}

describe('core/credentials/mfaSessions: what Sign Out forgets, and what expires', () => {
  it('forgetAll empties the cache, says when, and fires once so the store is rewritten', () => {
    const cache = new MfaSessionCache();
    cache.set(mfaSession('alice', NOW + 10 * HOUR));
    let fired = 0;
    cache.onDidChange(() => fired++);
    cache.forgetAll(NOW);
    assert.deepEqual(cache.all(), []);
    assert.equal(cache.clearedAt, NOW);
    assert.equal(fired, 1);
  });

  it('a sign-out in another window (a newer clearedAt in the store) forgets what this window held', () => {
    const here = new MfaSessionCache();
    here.set(mfaSession('alice', NOW + 10 * HOUR));
    const newer = mfaSession('bob', NOW + 5 * HOUR);
    here.load([newer], NOW + 60_000, NOW);
    assert.deepEqual(here.all().map((s) => s.mfaSerial), [newer.mfaSerial], 'only what was stored after the sign-out');
    // The same marker again (any later write of the other window) changes nothing more.
    here.set(mfaSession('carol', NOW + 8 * HOUR));
    here.load([newer], NOW + 120_000, NOW);
    assert.equal(here.all().length, 2);
  });

  it('prune drops expired sessions and fires only when it dropped one', () => {
    const cache = new MfaSessionCache();
    cache.set(mfaSession('old', NOW - 1));
    cache.set(mfaSession('new', NOW + HOUR));
    let fired = 0;
    cache.onDidChange(() => fired++);
    cache.prune(NOW);
    assert.deepEqual(cache.all().map((s) => s.mfaSerial.split('/')[1]), ['new']);
    assert.equal(fired, 1);
    cache.prune(NOW);
    assert.equal(fired, 1);
  });

  it('live lists only unexpired sessions, soonest first', () => {
    const cache = new MfaSessionCache();
    cache.set(mfaSession('late', NOW + 3 * HOUR));
    cache.set(mfaSession('gone', NOW - HOUR));
    cache.set(mfaSession('soon', NOW + HOUR));
    assert.deepEqual(cache.live(NOW).map((s) => s.mfaSerial.split('/')[1]), ['soon', 'late']);
  });

  it('the stored form carries clearedAt, and older stored forms without it still read', () => {
    const text = serializeMfaSessions([mfaSession('alice', NOW + HOUR)], NOW);
    assert.equal(parseMfaClearedAt(text), NOW);
    assert.equal(parseMfaSessions(text).length, 1);
    const old = JSON.stringify({ version: 1, sessions: [mfaSession('alice', NOW + HOUR)] });
    assert.equal(parseMfaClearedAt(old), undefined);
    assert.equal(parseMfaSessions(old).length, 1);
    assert.equal(parseMfaClearedAt('not json'), undefined);
  });
});
