import * as assert from 'node:assert/strict';
import { mfaSessionKey, MfaSessionCache, type MfaSession } from '../../../src/core/credentials/mfaSessions';
import { Redactor } from '../../../src/core/redact';
import type { Session } from '../../../src/core/session/session';
import { SessionManager } from '../../../src/core/session/sessionManager';
import { parseWindowIndex, windowKey, type WindowIdentity } from '../../../src/core/session/storedSessions';
import type { Logger } from '../../../src/vscode/logger';
import { SecretSessionStore } from '../../../src/vscode/secretSessionStore';
import { SessionSync } from '../../../src/vscode/sessionSync';
import { FakeClock } from '../../support/fakeClock';
import { FakeSecretStorage, type SecretDelays } from '../../support/fakeSecretStorage';
import { roleSession } from '../../support/sessions';

const HOUR = 3600_000;
const quietLog = { info: () => undefined, warn: () => undefined } as unknown as Logger;
/** Long enough for every delayed call below and the change events after them to land. */
const settle = () => new Promise((r) => setTimeout(r, 120));

/** Polls until `ok()` holds (a loaded machine may need more than one settle for the repair writes), failing after 5 s. */
async function eventually(what: string, ok: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 5000; !ok(); await settle()) if (Date.now() > deadline) assert.fail(`never happened: ${what}`);
}

// Two windows write SecretStorage at about the same time: a slow write of one must never undo
// what the other did (bring back a dropped session, lose a switch, or undo a sign-out).
describe('vscode/secretSessionStore: two windows writing at once', () => {
  let clock: FakeClock;
  let secrets: FakeSecretStorage;
  let serial = 0;
  const open: { dispose(): void }[] = [];

  beforeEach(() => {
    clock = new FakeClock();
    secrets = new FakeSecretStorage();
  });
  afterEach(() => {
    for (const d of open.splice(0)) d.dispose();
  });

  function openWindow(identity: WindowIdentity) {
    const delays: SecretDelays = {};
    const resolve = (profileName: string): Promise<Session> => {
      serial++;
      return Promise.resolve(roleSession({ profileName, startedAt: clock.now(), expiresAt: clock.now() + HOUR, credentials: { accessKeyId: `ASIA${profileName.toUpperCase()}RACE${String(serial).padStart(6, '0')}`, secretAccessKey: `${profileName}-race-secret-${serial}` } }));
    };
    const store = new SecretSessionStore(secrets.view(delays), new Redactor(), quietLog, identity, () => clock.now());
    const sessions = new SessionManager(resolve, clock, { peekShared: (p) => store.peekShared(p) });
    const mfa = new MfaSessionCache();
    const sync = new SessionSync(store, sessions, mfa, clock, quietLog);
    open.push(sync, sessions, mfa);
    return { sessions, sync, store, mfa, delays };
  }

  const folderA: WindowIdentity = { folders: ['file:///work/a'] };
  const folderB: WindowIdentity = { folders: ['file:///work/b'] };

  it('A drops while B stores a refresh read before the drop: A\'s session stays deleted, a reload of A restores nothing', async () => {
    const a = openWindow(folderA);
    const b = openWindow(folderB);
    await a.sessions.switchTo('dev');
    await settle();
    await b.sessions.switchTo('prod');
    await settle();
    // B reads what is stored at once (A's dev still there) and its write lands late; A's drop lands in between.
    a.delays.storeMs = a.delays.deleteMs = 10;
    b.delays.storeMs = 40;
    clock.advance(50 * 60_000);
    const refreshed = b.sessions.refresh();
    a.sessions.drop();
    await refreshed;
    await settle();
    const reloadedA = openWindow(folderA);
    assert.equal((await reloadedA.sync.restore())?.profileName, undefined, 'the dropped dev session does not come back');
    const reloadedB = openWindow(folderB);
    assert.equal((await reloadedB.sync.restore())?.credentials.accessKeyId, b.sessions.active?.credentials.accessKeyId, 'B\'s refresh is stored');
  });

  it('A and B switch at the same moment: both are stored, each reload restores its own', async () => {
    const a = openWindow(folderA);
    const b = openWindow(folderB);
    a.delays.storeMs = 30;
    b.delays.storeMs = 30;
    await Promise.all([a.sessions.switchTo('dev'), b.sessions.switchTo('prod')]);
    await settle();
    // The index is read, changed and written too: each window checks that its line survived and writes again if not.
    const both = [windowKey(folderA), windowKey(folderB)].sort();
    await eventually('both windows in the index', () => JSON.stringify(Object.keys(parseWindowIndex(secrets.peek('awsRoles.windowSessionIndex'))).sort()) === JSON.stringify(both));
    assert.equal((await openWindow(folderA).sync.restore())?.profileName, 'dev');
    assert.equal((await openWindow(folderB).sync.restore())?.profileName, 'prod');
  });

  it('an expired session found by another window is read again before it is deleted: B\'s new one stored meanwhile stays', async () => {
    const a = openWindow(folderA);
    const b = openWindow(folderB);
    await b.sessions.switchTo('prod');
    await settle();
    clock.advance(2 * HOUR);
    // A reads the index (100 ms), then B's expired session (100 ms), then B's secret again before deleting.
    a.delays.getMs = 100;
    const pruned = a.store.pruneExpired();
    await new Promise((r) => setTimeout(r, 150));
    await b.sessions.switchTo('prod');
    await pruned;
    await new Promise((r) => setTimeout(r, 250));
    a.delays.getMs = 0;
    assert.equal((await openWindow(folderB).sync.restore())?.credentials.accessKeyId, b.sessions.active?.credentials.accessKeyId);
  });

  it('a sign-out in A while B\'s older MFA sessions land late: no window, and no later window, takes them back', async () => {
    const a = openWindow(folderA);
    const b = openWindow(folderB);
    const mfaSession = (device: string): MfaSession => {
      const serialNumber = `arn:aws:iam::111111111111:mfa/${device}`;
      const s = { key: mfaSessionKey('base', 'AKIAEXAMPLEBASE00001', serialNumber), sourceProfile: 'base', mfaSerial: serialNumber, credentials: { accessKeyId: `ASIA${device.toUpperCase()}MFARACE0001`, secretAccessKey: `secret-${device}-0001`, sessionToken: `token-${device}` }, expiresAt: clock.now() + 12 * HOUR, obtainedAt: clock.now() };
      return s;
    };
    const alice = mfaSession('alice');
    b.mfa.set(alice);
    await settle();
    assert.equal(a.mfa.all().length, 1, 'A took B\'s MFA session');
    clock.advance(60_000);
    // B obtains another one; its write (the whole list, before it heard of the sign-out) lands late.
    b.delays.storeMs = 40;
    const bob = mfaSession('bob');
    b.mfa.set(bob);
    clock.advance(1000);
    a.sessions.drop('signedOut');
    a.mfa.forgetAll(clock.now());
    a.store.deleteActive();
    await settle();
    b.delays.storeMs = 0;
    await settle();
    const keyIds = (cache: MfaSessionCache) => cache.all().map((s) => s.credentials.accessKeyId);
    assert.deepEqual(keyIds(a.mfa), [], 'A does not take back what it signed out of');
    assert.deepEqual(keyIds(b.mfa), [], 'B forgets them too');
    const later = openWindow({ folders: ['file:///work/c'] });
    await later.sync.restore();
    assert.deepEqual(keyIds(later.mfa), [], 'a new window does not restore them');
    const stored = secrets.keys().map((k) => secrets.peek(k) ?? '').join('\n');
    assert.ok(!stored.includes(alice.credentials.secretAccessKey) && !stored.includes(bob.credentials.secretAccessKey), 'SecretStorage no longer holds them');
  });
});
