import * as assert from 'node:assert/strict';
import { isForgottenMfaSession, mfaSessionKey, MfaSessionCache, type MfaSession } from '../../../src/core/credentials/mfaSessions';
import { laterSignOut, parseMfaClearedAt, parseMfaSessions, parseMfaSignOut, serializeMfaSessions, serializeMfaSignOut } from '../../../src/core/session/storedSessions';

const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);
const HOUR = 3600_000;

function mfaSession(device: string, expiresAt: number, obtainedAt?: number): MfaSession {
  const serial = `arn:aws:iam::111111111111:mfa/${device}`;
  return { key: mfaSessionKey('base', 'AKIAEXAMPLEBASE00001', serial), sourceProfile: 'base', mfaSerial: serial, credentials: { accessKeyId: `ASIA${device.toUpperCase()}EXAMPLE0001`, secretAccessKey: `secret-${device}`, sessionToken: `token-${device}` }, expiresAt, obtainedAt };
}

const devices = (cache: MfaSessionCache) => cache.all().map((s) => s.mfaSerial.split('/')[1]).sort();

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

  it('a sign-out in another window (a newer clearedAt in the store) forgets what this window obtained before it', () => {
    const here = new MfaSessionCache();
    here.set(mfaSession('alice', NOW + 10 * HOUR, NOW - HOUR));
    here.set(mfaSession('dave', NOW + 10 * HOUR, NOW + 30_000));
    const newer = mfaSession('bob', NOW + 5 * HOUR, NOW + 30_000);
    here.load([newer], NOW + 60_000, NOW);
    assert.deepEqual(devices(here), ['bob', 'dave'], 'only what was obtained after the sign-out, here or there');
    // The same marker again (any later write of the other window) changes nothing more.
    here.set(mfaSession('carol', NOW + 8 * HOUR, NOW + 90_000));
    here.load([newer], NOW + 120_000, NOW);
    assert.deepEqual(devices(here), ['bob', 'carol', 'dave']);
  });

  it('a session obtained before the last sign-out is never taken, whoever wrote it back and whenever', () => {
    const here = new MfaSessionCache();
    here.forgetAll(NOW);
    // A window that had not heard of the sign-out wrote its whole list back, with an older marker.
    const stale = [mfaSession('alice', NOW + 10 * HOUR, NOW - HOUR), mfaSession('old-version', NOW + 10 * HOUR)];
    here.load(stale, NOW + 1000, NOW - 2 * HOUR);
    assert.deepEqual(here.all(), []);
    here.load(stale, NOW + 1000, undefined);
    assert.deepEqual(here.all(), [], 'nor without a marker in what was read: this window remembers the sign-out');
    const fresh = new MfaSessionCache();
    fresh.load(stale, NOW + 1000, NOW);
    assert.deepEqual(fresh.all(), [], 'a new window given the sign-out time does not take them either');
    fresh.load([mfaSession('bob', NOW + HOUR, NOW + 500)], NOW + 1000, NOW);
    assert.deepEqual(devices(fresh), ['bob']);
  });

  it('isForgottenMfaSession: expired, or obtained no later than the sign-out (unknown counts as before)', () => {
    assert.equal(isForgottenMfaSession(mfaSession('a', NOW), NOW, undefined), true);
    assert.equal(isForgottenMfaSession(mfaSession('a', NOW + HOUR), NOW, undefined), false);
    assert.equal(isForgottenMfaSession(mfaSession('a', NOW + HOUR, NOW - 1), NOW, NOW - 1), true);
    assert.equal(isForgottenMfaSession(mfaSession('a', NOW + HOUR, NOW), NOW, NOW - 1), false);
    assert.equal(isForgottenMfaSession(mfaSession('a', NOW + HOUR), NOW, NOW - HOUR), true);
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

  it('the stored form keeps when each session was obtained; the sign-out has a form of its own', () => {
    const [read] = parseMfaSessions(serializeMfaSessions([mfaSession('alice', NOW + HOUR, NOW - 5)]));
    assert.equal(read.obtainedAt, NOW - 5);
    assert.equal(parseMfaSessions(serializeMfaSessions([mfaSession('alice', NOW + HOUR)]))[0].obtainedAt, undefined);
    assert.equal(parseMfaSignOut(serializeMfaSignOut(NOW)), NOW);
    for (const text of [undefined, '', 'null', '[]', '{"version":1}', '{"version":2,"signedOutAt":1}', '{"version":1,"signedOutAt":"1"}']) assert.equal(parseMfaSignOut(text), undefined);
    assert.equal(laterSignOut(undefined, NOW), NOW);
    assert.equal(laterSignOut(NOW + 1, NOW), NOW + 1);
    assert.equal(laterSignOut(undefined, undefined), undefined);
  });
});
