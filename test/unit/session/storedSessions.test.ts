import * as assert from 'node:assert/strict';
import {
  fresherSharedSession,
  indexWith,
  indexWithout,
  MAX_WINDOW_ENTRIES,
  ownLegacyEntry,
  parseLegacyWindowSessions,
  parseWindowEntry,
  parseWindowIndex,
  remoteKey,
  restorableEntry,
  serializeWindowEntry,
  serializeWindowIndex,
  windowKey,
  type WindowIdentity,
  type WindowIndex,
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

  describe('one entry per window', () => {
    it('a window restores its own entry through the stored text, only of its remote and while valid', () => {
      const mine = entry(laptopA, 'window-a', 'dev');
      const read = parseWindowEntry(serializeWindowEntry(mine));
      assert.equal(restorableEntry(read, remoteKey(laptopA), NOW)?.session.profileName, 'dev');
      assert.equal(read?.session.credentials.accessKeyId, mine.session.credentials.accessKeyId);
      assert.equal(restorableEntry(read, remoteKey(ssh), NOW), undefined, 'an entry written on another remote is refused (hashed keys make it impossible, but it is checked)');
      assert.equal(restorableEntry(read, remoteKey(laptopA), NOW + HOUR), undefined, 'expired');
      assert.equal(restorableEntry(undefined, remoteKey(laptopA), NOW), undefined, 'dropped: nothing');
    });

    it('another window renewed the same profile: its fresher entry is found, from any workspace of this remote', () => {
      const mine = entry(laptopA, 'window-a', 'dev', NOW + 10 * 60_000);
      const entries = [mine, entry(laptopB, 'window-b', 'dev', NOW + HOUR), entry(laptopB, 'window-c', 'prod', NOW + 2 * HOUR), entry(ssh, 'window-ssh', 'dev', NOW + 3 * HOUR), undefined];
      const found = fresherSharedSession(entries, { profileName: 'dev', remote: remoteKey(laptopA), writer: 'window-a', now: NOW, notBefore: mine.session.expiresAt });
      assert.equal(found?.expiresAt, NOW + HOUR, 'the laptop window B\'s dev, not the SSH window\'s, not another profile');
      assert.equal(fresherSharedSession(entries, { profileName: 'dev', remote: remoteKey(laptopA), writer: 'window-a', now: NOW, notBefore: NOW + HOUR }), undefined, 'nothing fresher than what this window holds');
      assert.equal(fresherSharedSession([mine], { profileName: 'dev', remote: remoteKey(laptopA), writer: 'window-a', now: NOW }), undefined, 'never its own write');
      assert.equal(fresherSharedSession([entry(laptopB, 'window-b', 'dev', NOW)], { profileName: 'dev', remote: remoteKey(laptopA), writer: 'window-a', now: NOW }), undefined, 'never an expired one');
    });
  });

  describe('the index of windows', () => {
    const line = (storedAt: number) => ({ remote: remoteKey(laptopA), storedAt });

    it('names each window once, with its latest write, and survives the stored text', () => {
      let index: WindowIndex = {};
      index = indexWith(index, 'a', line(NOW)).index;
      index = indexWith(index, 'b', line(NOW + 1)).index;
      index = indexWith(index, 'a', line(NOW + 2)).index;
      index = parseWindowIndex(serializeWindowIndex(index));
      assert.deepEqual(index, { a: line(NOW + 2), b: line(NOW + 1) });
      assert.deepEqual(indexWithout(index, ['a']), { b: line(NOW + 1) });
    });

    it(`keeps at most ${MAX_WINDOW_ENTRIES} windows and says which (the oldest writes) it evicted`, () => {
      let index: WindowIndex = {};
      const evicted: string[] = [];
      for (let i = 0; i < MAX_WINDOW_ENTRIES + 5; i++) {
        const next = indexWith(index, `k${i}`, line(NOW + i));
        index = next.index;
        evicted.push(...next.evicted);
      }
      assert.equal(Object.keys(index).length, MAX_WINDOW_ENTRIES);
      assert.deepEqual(evicted, ['k0', 'k1', 'k2', 'k3', 'k4']);
      assert.ok(index[`k${MAX_WINDOW_ENTRIES + 4}`]);
    });

    it('holds no secret: keys, remotes and times only', () => {
      const text = serializeWindowIndex(indexWith({}, windowKey(laptopA), line(NOW)).index);
      assert.doesNotMatch(text, /ASIA|secret|token|alice/i);
    });

    it('drops malformed lines and survives garbage', () => {
      for (const text of [undefined, '', 'not json', 'null', '[]', '{"version":3}', '{"version":2,"windows":{}}']) assert.deepEqual(parseWindowIndex(text), {});
      assert.deepEqual(Object.keys(parseWindowIndex(JSON.stringify({ version: 3, windows: { good: line(NOW), noRemote: { storedAt: NOW }, noTime: { remote: 'r' }, nul: null } }))), ['good']);
    });
  });

  describe('parsing', () => {
    it('a window entry of another version, or malformed, is not used', () => {
      const good = entry(laptopA, 'a', 'dev');
      for (const text of [undefined, '', 'not json', 'null', '[]', JSON.stringify({ version: 2, ...good }), JSON.stringify({ version: 3, ...good, writer: undefined }), JSON.stringify({ version: 3, ...good, session: { ...good.session, credentials: {} } })]) {
        assert.equal(parseWindowEntry(text), undefined);
      }
    });

    it('the previous format\'s map: only this window\'s valid entry of this remote is carried over; the old shared entry never', () => {
      const legacy = JSON.stringify({ version: 2, windows: { [windowKey(laptopA)]: entry(laptopA, 'a', 'dev'), [windowKey(laptopB)]: entry(laptopB, 'b', 'prod'), bad: { writer: 'x' } } });
      const map = parseLegacyWindowSessions(legacy);
      assert.deepEqual(Object.keys(map).sort(), [windowKey(laptopA), windowKey(laptopB)].sort());
      assert.equal(ownLegacyEntry(map, windowKey(laptopA), remoteKey(laptopA), NOW)?.session.profileName, 'dev');
      assert.equal(ownLegacyEntry(map, windowKey(laptopA), remoteKey(laptopA), NOW + HOUR), undefined, 'expired');
      assert.equal(ownLegacyEntry(map, windowKey(ssh), remoteKey(ssh), NOW), undefined);
      assert.equal(ownLegacyEntry(map, 'constructor', remoteKey(laptopA), NOW), undefined);
      const old = JSON.stringify({ version: 1, active: roleSession({ profileName: 'prod' }), writer: 'someone' });
      assert.deepEqual(parseLegacyWindowSessions(old), {});
      for (const text of [undefined, '', 'not json', 'null', '[]', '{"version":2}', '{"version":2,"windows":null}']) assert.deepEqual(parseLegacyWindowSessions(text), {});
    });
  });
});
