import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { parseWindowIndex, remoteKey, serializeWindowEntry, serializeWindowIndex, windowKey, type WindowEntry } from '../../../src/core/session/storedSessions';
import { roleSession } from '../../support/sessions';
import { EXTENSION_ID, inspect, waitFor } from './helpers';

const PREFIX = 'awsRoles.windowSession.';
const INDEX = 'awsRoles.windowSessionIndex';
const LEGACY_MAP = 'awsRoles.windowSessions';
const HOUR = 3600_000;

const writeSecret = (key: string, value: string | undefined) => vscode.commands.executeCommand<string | undefined>('awsRoles.test.writeSecret', key, value);
/** Reads a secret by writing it back unchanged (the test hook returns the old text). */
async function readSecret(key: string): Promise<string | undefined> {
  const text = await writeSecret(key, undefined);
  await writeSecret(key, text);
  return text;
}

// A reload restores only this window's own stored session, from its own secret: another
// workspace's (or another remote's) secret is never taken; a drop deletes only its own.
describe('Stored sessions per window, in a real VS Code', function () {
  this.timeout(60000);
  const saved = new Map<string, string | undefined>();
  let me: Awaited<ReturnType<typeof inspect>>;
  const otherWorkspace = windowKey({ folders: ['file:///somewhere/else'] });
  const otherRemote = { remoteName: 'ssh-remote', remoteAuthority: 'ssh-remote+box' };
  const otherRemoteKey = windowKey({ ...otherRemote, folders: ['vscode-remote://ssh-remote+box/x'] });

  before(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
    await vscode.commands.executeCommand('awsRoles.dropCredentials');
    me = await inspect();
    for (const key of [PREFIX + me.windowKey, PREFIX + otherWorkspace, PREFIX + otherRemoteKey, INDEX, LEGACY_MAP]) saved.set(key, await writeSecret(key, undefined));
  });
  after(async () => {
    await vscode.commands.executeCommand('awsRoles.dropCredentials');
    for (const [key, value] of saved) await writeSecret(key, value);
  });

  function entry(profileName: string, remote: string): WindowEntry {
    const now = Date.now();
    return { session: roleSession({ profileName, startedAt: now, expiresAt: now + HOUR }), writer: 'another-window', remote, storedAt: now };
  }

  it('a reload does not restore another workspace\'s or another remote\'s stored role, restores its own, and a drop deletes only its own', async () => {
    assert.equal(me.active, undefined);
    assert.notEqual(otherWorkspace, me.windowKey);
    await writeSecret(PREFIX + otherWorkspace, serializeWindowEntry(entry('prod', me.remote)));
    await writeSecret(PREFIX + otherRemoteKey, serializeWindowEntry(entry('prod', remoteKey(otherRemote))));
    assert.equal(await vscode.commands.executeCommand('awsRoles.test.restore'), undefined, 'another window\'s prod is not restored');
    assert.equal((await inspect()).active, undefined);

    await writeSecret(PREFIX + me.windowKey, serializeWindowEntry(entry('prod', remoteKey(otherRemote))));
    assert.equal(await vscode.commands.executeCommand('awsRoles.test.restore'), undefined, 'an entry of another remote under this key is not restored');

    await writeSecret(PREFIX + me.windowKey, serializeWindowEntry(entry('mine', me.remote)));
    assert.equal(await vscode.commands.executeCommand('awsRoles.test.restore'), 'mine', 'its own entry is restored');
    assert.equal((await inspect()).active?.profileName, 'mine');

    // A drop deletes this window's secret only, so a reload brings nothing back; the others stay.
    await vscode.commands.executeCommand('awsRoles.dropCredentials');
    await waitFor('the stored session to go', async () => ((await inspect()).storedSessionKeyId === undefined ? true : undefined), 5000);
    assert.equal(await vscode.commands.executeCommand('awsRoles.test.restore'), undefined, 'the drop sticks');
    assert.ok(await readSecret(PREFIX + otherWorkspace), 'another window\'s session is left alone');
  });

  it('after an upgrade, the first restore carries this window\'s entry over from the old shared map and deletes the map', async () => {
    await vscode.commands.executeCommand('awsRoles.dropCredentials');
    await writeSecret(PREFIX + me.windowKey, undefined);
    const map = { [me.windowKey]: entry('upgraded', me.remote), [otherWorkspace]: entry('prod', me.remote) };
    await writeSecret(LEGACY_MAP, JSON.stringify({ version: 2, windows: map }));
    assert.equal(await vscode.commands.executeCommand('awsRoles.test.restore'), 'upgraded');
    await waitFor('the entry in its own secret', async () => ((await inspect()).storedSessionKeyId === map[me.windowKey].session.credentials.accessKeyId ? true : undefined), 5000);
    assert.equal(await readSecret(LEGACY_MAP), undefined, 'the old map is deleted');
    assert.ok(parseWindowIndex(await readSecret(INDEX))[me.windowKey], 'the index names this window');
  });

  it('another window storing a fresher session of the profile this window holds hands it over', async () => {
    await vscode.commands.executeCommand('awsRoles.dropCredentials');
    await writeSecret(PREFIX + me.windowKey, serializeWindowEntry(entry('shared', me.remote)));
    assert.equal(await vscode.commands.executeCommand('awsRoles.test.restore'), 'shared');
    const held = (await inspect()).active?.accessKeyId;
    const later = { ...entry('shared', me.remote), session: roleSession({ profileName: 'shared', startedAt: Date.now(), expiresAt: Date.now() + 2 * HOUR, credentials: { accessKeyId: 'ASIASHAREDLATER00001', secretAccessKey: 'shared-later-secret-0000000000000000001' } }) };
    await writeSecret(INDEX, serializeWindowIndex({ ...parseWindowIndex(await readSecret(INDEX)), [otherWorkspace]: { remote: me.remote, storedAt: later.storedAt } }));
    await writeSecret(PREFIX + otherWorkspace, serializeWindowEntry(later));
    const taken = await waitFor('the later session to be taken', async () => {
      const id = (await inspect()).active?.accessKeyId;
      return id !== held ? id : undefined;
    }, 5000);
    assert.equal(taken, 'ASIASHAREDLATER00001');
  });
});
