import * as assert from 'node:assert/strict';
import {
  fresherSharedSession,
  MAX_WINDOW_ENTRIES,
  ownWindowSession,
  parseWindowSessions,
  pruneWindowSessions,
  putWindowSession,
  remoteKey,
  removeWindowSession,
  serializeWindowSessions,
  windowKey,
  type WindowIdentity,
  type WindowSessions,
} from '../../../src/core/session/storedSessions';
import { roleSession } from '../../support/sessions';

const HOUR = 3600_000;
const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);

const laptopA: WindowIdentity = { folders: ['file:///home/alice/a'] };
const laptopB: WindowIdentity = { folders: ['file:///home/alice/b'] };
const ssh: WindowIdentity = { remoteName: 'ssh-remote', remoteAuthority: 'ssh-remote+box', folders: ['vscode-remote://ssh-remote+box/home/alice/a'] };

function entry(id: WindowIdentity, writer: string, profileName: string, expiresAt = NOW + HOUR, storedAt = NOW) {
  return { session: roleSession({ profileName, startedAt: expiresAt - HOUR, expiresAt }), writer, remote: remoteKey(id), storedAt };
}

describe('core/storedSessions: one stored session per window', () => {
  describe('windowKey', () => {
    it('is the same for a reload of the same workspace, whatever the folder order', () => {
      assert.equal(windowKey({ folders: ['file:///x', 'file:///y'] }), windowKey({ folders: ['file:///y', 'file:///x'] }));
      assert.equal(windowKey(laptopA), windowKey({ ...laptopA }));
    });

    it('differs for two workspaces, a workspace file, and an empty window', () => {
      const keys = [windowKey(laptopA), windowKey(laptopB), windowKey({ workspaceFile: 'file:///home/alice/a.code-workspace', folders: ['file:///home/alice/a'] }), windowKey({}), windowKey({ folders: [] })];
      assert.equal(new Set(keys).size, 4, 'an empty window has one fixed key (no folders = empty)');
      assert.equal(keys[3], keys[4]);
    });

    it('differs for two remotes with the same path, and for an empty window on each', () => {
      const local = windowKey({ folders: ['file:///home/alice/a'] });
      const container = windowKey({ remoteName: 'dev-container', folders: ['file:///home/alice/a'] });
      const boxA = windowKey({ remoteName: 'ssh-remote', remoteAuthority: 'ssh-remote+a', folders: ['file:///home/alice/a'] });
      const boxB = windowKey({ remoteName: 'ssh-remote', remoteAuthority: 'ssh-remote+b', folders: ['file:///home/alice/a'] });
      assert.equal(new Set([local, container, boxA, boxB]).size, 4);
      assert.notEqual(windowKey({}), windowKey({ remoteName: 'dev-container' }));
      assert.notEqual(remoteKey({}), remoteKey({ remoteName: 'ssh-remote', remoteAuthority: 'ssh-remote+a' }));
      assert.notEqual(remoteKey({ remoteName: 'ssh-remote', remoteAuthority: 'ssh-remote+a' }), remoteKey({ remoteName: 'ssh-remote', remoteAuthority: 'ssh-remote+b' }));
    });

    it('holds no path in clear', () => {
      assert.match(windowKey(laptopA), /^[0-9a-f]{32}$/);
      assert.doesNotMatch(windowKey(laptopA), /alice/);
    });
  });

  describe('the map of window sessions', () => {
    it('window A on dev, window B on prod, A drops, A reloads: A restores nothing, B still restores prod', () => {
      let map: WindowSessions = {};
      map = putWindowSession(map, windowKey(laptopA), entry(laptopA, 'window-a', 'dev'), NOW);
      map = putWindowSession(map, windowKey(laptopB), entry(laptopB, 'window-b', 'prod'), NOW);
      assert.equal(ownWindowSession(map, windowKey(laptopA), remoteKey(laptopA), NOW)?.session.profileName, 'dev');
      map = removeWindowSession(map, windowKey(laptopA), NOW);
      // Through the stored text, as a reload reads it.
      map = parseWindowSessions(serializeWindowSessions(map));
      assert.equal(ownWindowSession(map, windowKey(laptopA), remoteKey(laptopA), NOW), undefined, 'the drop sticks; B\'s prod is not taken');
      assert.equal(ownWindowSession(map, windowKey(laptopB), remoteKey(laptopB), NOW)?.session.profileName, 'prod');
    });

    it('a window of another remote never gets the laptop\'s session, even for the same path', () => {
      const sameKeyOtherRemote = { ...entry(laptopA, 'laptop', 'dev') };
      const map = putWindowSession({}, windowKey(laptopA), sameKeyOtherRemote, NOW);
      assert.equal(ownWindowSession(map, windowKey(ssh), remoteKey(ssh), NOW), undefined);
      // An entry under this key written from another remote (it cannot happen with hashed keys, but is refused anyway).
      assert.equal(ownWindowSession({ [windowKey(ssh)]: sameKeyOtherRemote }, windowKey(ssh), remoteKey(ssh), NOW), undefined);
    });

    it('an expired own entry is not restored, and expired entries are pruned on every write', () => {
      let map = putWindowSession({}, windowKey(laptopA), entry(laptopA, 'a', 'dev', NOW - 1), NOW - HOUR);
      assert.equal(ownWindowSession(map, windowKey(laptopA), remoteKey(laptopA), NOW), undefined);
      map = putWindowSession(map, windowKey(laptopB), entry(laptopB, 'b', 'prod'), NOW);
      assert.deepEqual(Object.keys(map), [windowKey(laptopB)]);
    });

    it(`keeps at most ${MAX_WINDOW_ENTRIES} entries, the newest writes`, () => {
      let map: WindowSessions = {};
      for (let i = 0; i < MAX_WINDOW_ENTRIES + 5; i++) map = putWindowSession(map, `k${i}`, entry(laptopA, `w${i}`, 'dev', NOW + HOUR, NOW + i), NOW);
      assert.equal(Object.keys(map).length, MAX_WINDOW_ENTRIES);
      assert.ok(map[`k${MAX_WINDOW_ENTRIES + 4}`] && !map.k0);
      assert.deepEqual(pruneWindowSessions(map, NOW + 2 * HOUR), {});
    });

    it('another window renewed the same profile: its fresher entry is found, from any workspace of this remote', () => {
      const mine = entry(laptopA, 'window-a', 'dev', NOW + 10 * 60_000);
      const map: WindowSessions = {
        [windowKey(laptopA)]: mine,
        [windowKey(laptopB)]: entry(laptopB, 'window-b', 'dev', NOW + HOUR),
        [windowKey({ folders: ['file:///c'] })]: entry(laptopB, 'window-c', 'prod', NOW + 2 * HOUR),
        [windowKey(ssh)]: entry(ssh, 'window-ssh', 'dev', NOW + 3 * HOUR),
      };
      const found = fresherSharedSession(map, { profileName: 'dev', remote: remoteKey(laptopA), writer: 'window-a', now: NOW, notBefore: mine.session.expiresAt });
      assert.equal(found?.expiresAt, NOW + HOUR, 'the laptop window B\'s dev, not the SSH window\'s, not another profile');
      assert.equal(fresherSharedSession(map, { profileName: 'dev', remote: remoteKey(laptopA), writer: 'window-a', now: NOW, notBefore: NOW + HOUR }), undefined, 'nothing fresher than what this window holds');
      assert.equal(fresherSharedSession({ [windowKey(laptopA)]: mine }, { profileName: 'dev', remote: remoteKey(laptopA), writer: 'window-a', now: NOW }), undefined, 'never its own write');
    });
  });

  describe('parsing', () => {
    it('ignores the old single shared entry: it is never restored into a window', () => {
      const old = JSON.stringify({ version: 1, active: roleSession({ profileName: 'prod' }), writer: 'someone' });
      assert.deepEqual(parseWindowSessions(old), {});
    });

    it('drops malformed entries and survives garbage', () => {
      for (const text of [undefined, '', 'not json', 'null', '[]', '{"version":2}', '{"version":2,"windows":null}']) assert.deepEqual(parseWindowSessions(text), {});
      const good = entry(laptopA, 'a', 'dev');
      const text = JSON.stringify({ version: 2, windows: { good, noWriter: { ...good, writer: undefined }, noKeys: { ...good, session: { ...good.session, credentials: {} } }, nul: null } });
      assert.deepEqual(Object.keys(parseWindowSessions(text)), ['good']);
    });
  });
});
