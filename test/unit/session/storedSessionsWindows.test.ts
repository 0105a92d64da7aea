import * as assert from 'node:assert/strict';
import { MfaSessionCache } from '../../../src/core/credentials/mfaSessions';
import { Redactor } from '../../../src/core/redact';
import type { Session } from '../../../src/core/session/session';
import { SessionManager } from '../../../src/core/session/sessionManager';
import { MAX_WINDOW_ENTRIES, parseWindowIndex, remoteKey, windowKey, type WindowEntry, type WindowIdentity } from '../../../src/core/session/storedSessions';
import type { Logger } from '../../../src/vscode/logger';
import { SecretSessionStore } from '../../../src/vscode/secretSessionStore';
import { SessionSync } from '../../../src/vscode/sessionSync';
import { FakeClock } from '../../support/fakeClock';
import { FakeSecretStorage } from '../../support/fakeSecretStorage';
import { roleSession } from '../../support/sessions';

const HOUR = 3600_000;

const quietLog = { info: () => undefined, warn: () => undefined } as unknown as Logger;
const settle = () => new Promise((r) => setTimeout(r, 20));

describe('vscode/sessionSync: each window restores its own stored session only', () => {
  let clock: FakeClock;
  let secrets: FakeSecretStorage;
  const open: { dispose(): void }[] = [];

  beforeEach(() => {
    clock = new FakeClock();
    secrets = new FakeSecretStorage();
  });
  afterEach(() => {
    for (const d of open.splice(0)) d.dispose();
  });

  /** A window (one activation): its manager resolves any profile to a fresh session without STS. */
  function openWindow(identity: WindowIdentity, trusted = true) {
    const resolve = (profileName: string): Promise<Session> => Promise.resolve(roleSession({ profileName, startedAt: clock.now(), expiresAt: clock.now() + HOUR, credentials: { accessKeyId: `ASIA${profileName.toUpperCase()}${clock.now() % 100000}`, secretAccessKey: `${profileName}-secret-0000000000001` } }));
    const store = new SecretSessionStore(secrets.view(), new Redactor(), quietLog, identity, () => clock.now());
    const sessions = new SessionManager(resolve, clock, { peekShared: (p) => store.peekShared(p) });
    const mfa = new MfaSessionCache();
    const sync = new SessionSync(store, sessions, mfa, clock, quietLog, () => trusted);
    open.push(sync, sessions, mfa);
    return { sessions, sync, store };
  }

  const folderA: WindowIdentity = { folders: ['file:///work/a'] };
  const folderB: WindowIdentity = { folders: ['file:///work/b'] };

  it('A on dev, B on prod, A drops, A reloads: A comes back with no role, not as prod', async () => {
    const a = openWindow(folderA);
    const b = openWindow(folderB);
    await a.sessions.switchTo('dev');
    await settle();
    await b.sessions.switchTo('prod');
    await settle();
    a.sessions.drop();
    await settle();
    a.sync.dispose();
    const reloaded = openWindow(folderA);
    assert.equal(await reloaded.sync.restore(), undefined);
    assert.equal(reloaded.sessions.active, undefined);
  });

  it('a reload restores its own role even when another workspace switched after it', async () => {
    const a = openWindow(folderA);
    const b = openWindow(folderB);
    await a.sessions.switchTo('dev');
    await settle();
    await b.sessions.switchTo('prod');
    await settle();
    const reloaded = openWindow(folderA);
    assert.equal((await reloaded.sync.restore())?.profileName, 'dev');
    const second = openWindow(folderA);
    assert.equal((await second.sync.restore())?.profileName, 'dev', 'a second window of the same workspace starts with it too');
  });

  it('a window of another workspace, or of a dev container on the same path, starts with no role', async () => {
    const a = openWindow(folderA);
    await a.sessions.switchTo('dev');
    await settle();
    assert.equal(await openWindow(folderB).sync.restore(), undefined);
    assert.equal(await openWindow({ ...folderA, remoteName: 'dev-container' }).sync.restore(), undefined);
  });

  it('the shared entry of earlier versions is not restored, and is deleted', async () => {
    secrets.set('awsRoles.activeSession', JSON.stringify({ version: 1, active: roleSession({ profileName: 'prod', startedAt: clock.now(), expiresAt: clock.now() + HOUR }), writer: 'old' }));
    const a = openWindow(folderA);
    assert.equal(await a.sync.restore(), undefined);
    await settle();
    assert.equal(secrets.peek('awsRoles.activeSession'), undefined);
  });

  it('nothing is restored into a window in Restricted Mode', async () => {
    const a = openWindow(folderA);
    await a.sessions.switchTo('dev');
    await settle();
    const restricted = openWindow(folderA, false);
    assert.equal(await restricted.sync.restore(), undefined);
    assert.equal(restricted.sessions.active, undefined);
  });

  it('a window of another workspace that renews the same profile hands its session over', async () => {
    const a = openWindow(folderA);
    const b = openWindow(folderB);
    await a.sessions.switchTo('dev');
    await settle();
    clock.advance(10 * 60_000);
    await b.sessions.switchTo('dev');
    await settle();
    assert.equal(a.sessions.active?.credentials.accessKeyId, b.sessions.active?.credentials.accessKeyId, 'A took B\'s later dev session');
  });

  const secretOf = (id: WindowIdentity) => `awsRoles.windowSession.${windowKey(id)}`;
  const index = () => parseWindowIndex(secrets.peek('awsRoles.windowSessionIndex'));
  function legacyEntry(id: WindowIdentity, profileName: string, expiresAt = clock.now() + HOUR): WindowEntry {
    return { session: roleSession({ profileName, startedAt: expiresAt - HOUR, expiresAt }), writer: 'an-older-version', remote: remoteKey(id), storedAt: clock.now() };
  }

  it('each window\'s session is a secret of its own, named in the index; a drop deletes only that one', async () => {
    const a = openWindow(folderA);
    const b = openWindow(folderB);
    await a.sessions.switchTo('dev');
    await settle();
    await b.sessions.switchTo('prod');
    await settle();
    assert.ok(secrets.peek(secretOf(folderA)) && secrets.peek(secretOf(folderB)));
    assert.deepEqual(Object.keys(index()).sort(), [windowKey(folderA), windowKey(folderB)].sort());
    a.sessions.drop();
    await settle();
    assert.equal(secrets.peek(secretOf(folderA)), undefined);
    assert.ok(secrets.peek(secretOf(folderB)));
    assert.deepEqual(Object.keys(index()), [windowKey(folderB)]);
    assert.equal(secrets.peek('awsRoles.windowSessions'), undefined, 'no shared map is written');
  });

  it('upgrading: the first restore carries this window\'s entry over from the previous map and deletes the map; a drop then sticks', async () => {
    secrets.set('awsRoles.windowSessions', JSON.stringify({ version: 2, windows: { [windowKey(folderA)]: legacyEntry(folderA, 'dev'), [windowKey(folderB)]: legacyEntry(folderB, 'prod') } }));
    const a = openWindow(folderA);
    assert.equal((await a.sync.restore())?.profileName, 'dev', 'no prompt after the upgrade');
    await settle();
    assert.equal(secrets.peek('awsRoles.windowSessions'), undefined, 'the map is gone (B\'s entry with it: B asks once)');
    assert.ok(secrets.peek(secretOf(folderA)));
    assert.equal(await openWindow(folderB).sync.restore(), undefined);
    a.sessions.drop();
    await settle();
    assert.equal(await openWindow(folderA).sync.restore(), undefined, 'the drop sticks');
  });

  it('upgrading: an expired or another remote\'s entry in the previous map is not carried over, and a newer own secret is kept', async () => {
    const container: WindowIdentity = { ...folderA, remoteName: 'dev-container' };
    secrets.set('awsRoles.windowSessions', JSON.stringify({ version: 2, windows: { [windowKey(folderA)]: legacyEntry(folderA, 'dev', clock.now() - 1), [windowKey(container)]: legacyEntry(folderA, 'prod') } }));
    assert.equal(await openWindow(folderA).sync.restore(), undefined);
    assert.equal(await openWindow(container).sync.restore(), undefined);
    await settle();
    assert.equal(secrets.peek(secretOf(folderA)), undefined);

    const a = openWindow(folderA);
    await a.sessions.switchTo('dev');
    await settle();
    secrets.set('awsRoles.windowSessions', JSON.stringify({ version: 2, windows: { [windowKey(folderA)]: legacyEntry(folderA, 'old') } }));
    assert.equal((await openWindow(folderA).sync.restore())?.profileName, 'dev', 'its own secret wins over the old map');
  });

  it('a restore deletes other windows\' expired sessions and forgets windows that have none', async () => {
    const b = openWindow(folderB);
    await b.sessions.switchTo('prod');
    await settle();
    const c: WindowIdentity = { folders: ['file:///work/c'] };
    const cw = openWindow(c);
    await cw.sessions.switchTo('qa');
    await settle();
    secrets.set(secretOf(c), undefined);
    clock.advance(2 * HOUR);
    await openWindow(folderA).sync.restore();
    await settle();
    assert.equal(secrets.peek(secretOf(folderB)), undefined, 'B\'s expired session is deleted');
    assert.deepEqual(index(), {}, 'the index names neither B nor C');
  });

  it(`keeps at most ${MAX_WINDOW_ENTRIES} windows' sessions: the oldest write goes`, async () => {
    const ids = Array.from({ length: MAX_WINDOW_ENTRIES + 1 }, (_, i): WindowIdentity => ({ folders: [`file:///work/w${i}`] }));
    // A profile each, so none takes another's session (which would be a write of its own).
    for (const [i, id] of ids.entries()) {
      await openWindow(id).sessions.switchTo(`p${i}`);
      await settle();
      clock.advance(1000);
    }
    assert.equal(Object.keys(index()).length, MAX_WINDOW_ENTRIES);
    assert.equal(secrets.peek(secretOf(ids[0])), undefined, 'the oldest is deleted');
    assert.ok(secrets.peek(secretOf(ids[1])) && secrets.peek(secretOf(ids[MAX_WINDOW_ENTRIES])));
  });

  it('a lost index only costs a look at other windows: a reload still restores its own, and the next write names it again', async () => {
    const a = openWindow(folderA);
    await a.sessions.switchTo('dev');
    await settle();
    secrets.set('awsRoles.windowSessionIndex', undefined);
    assert.equal((await openWindow(folderA).sync.restore())?.profileName, 'dev');
    await a.sessions.switchTo('prod');
    await settle();
    assert.ok(index()[windowKey(folderA)]);
  });
});
