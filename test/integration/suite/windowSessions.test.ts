import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { remoteKey, serializeWindowSessions, windowKey, type WindowSessions } from '../../../src/core/session/storedSessions';
import { roleSession } from '../../support/sessions';
import { EXTENSION_ID, inspect } from './helpers';

const SECRET = 'awsRoles.windowSessions';
const HOUR = 3600_000;

// A reload restores only this window's own stored session: another workspace's entry (or another
// remote's) in the same secret is never taken, and an entry under this window's key is.
describe('Stored sessions per window, in a real VS Code', function () {
  this.timeout(60000);
  let saved: string | undefined;

  before(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
    await vscode.commands.executeCommand('awsRoles.dropCredentials');
    saved = await vscode.commands.executeCommand<string | undefined>('awsRoles.test.writeSecret', SECRET, undefined);
  });
  after(async () => {
    await vscode.commands.executeCommand('awsRoles.dropCredentials');
    await vscode.commands.executeCommand('awsRoles.test.writeSecret', SECRET, saved);
  });

  function entry(profileName: string, remote: string) {
    const now = Date.now();
    return { session: roleSession({ profileName, startedAt: now, expiresAt: now + HOUR }), writer: 'another-window', remote, storedAt: now };
  }

  it('a reload does not restore another workspace\'s or another remote\'s stored role, and restores its own', async () => {
    const me = await inspect();
    assert.equal(me.active, undefined);
    const otherWorkspace = windowKey({ folders: ['file:///somewhere/else'] });
    const otherRemote = { remoteName: 'ssh-remote', remoteAuthority: 'ssh-remote+box' };
    const map: WindowSessions = {
      [otherWorkspace]: entry('prod', me.remote),
      [windowKey({ ...otherRemote, folders: ['vscode-remote://ssh-remote+box/x'] })]: entry('prod', remoteKey(otherRemote)),
      // This window's key but written on another remote: refused too.
    };
    assert.notEqual(otherWorkspace, me.windowKey);
    await vscode.commands.executeCommand('awsRoles.test.writeSecret', SECRET, serializeWindowSessions(map));
    assert.equal(await vscode.commands.executeCommand('awsRoles.test.restore'), undefined, 'another window\'s prod is not restored');
    assert.equal((await inspect()).active, undefined);

    await vscode.commands.executeCommand('awsRoles.test.writeSecret', SECRET, serializeWindowSessions({ ...map, [me.windowKey]: entry('prod', remoteKey(otherRemote)) }));
    assert.equal(await vscode.commands.executeCommand('awsRoles.test.restore'), undefined, 'an entry of another remote under this key is not restored');

    await vscode.commands.executeCommand('awsRoles.test.writeSecret', SECRET, serializeWindowSessions({ ...map, [me.windowKey]: entry('mine', me.remote) }));
    assert.equal(await vscode.commands.executeCommand('awsRoles.test.restore'), 'mine', 'its own entry is restored');
    assert.equal((await inspect()).active?.profileName, 'mine');

    // A drop removes this window's entry only, so a reload brings nothing back; the others stay.
    await vscode.commands.executeCommand('awsRoles.dropCredentials');
    const deadline = Date.now() + 5000;
    while ((await inspect()).storedSessionKeyId !== undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.equal((await inspect()).storedSessionKeyId, undefined);
    assert.equal(await vscode.commands.executeCommand('awsRoles.test.restore'), undefined, 'the drop sticks');
  });
});
