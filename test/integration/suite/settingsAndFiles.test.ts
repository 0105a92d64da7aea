import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID, inspect, waitFor } from './helpers';

// Bad settings and bad files: a clear message where one is due, and nothing crashes.
describe('Settings of the wrong type and files that are not files', function () {
  this.timeout(60000);
  const settings = () => vscode.workspace.getConfiguration('awsRoles');
  const global = vscode.ConfigurationTarget.Global;
  let dir: string;

  before(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'aws-roles-bad-'));
  });
  after(async () => {
    for (const key of ['configFile', 'credentialsFile', 'stsTimeoutSeconds', 'refreshMinutesBefore', 'terminalCredentials', 'warningMinutes']) await settings().update(key, undefined, global);
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('settings of the wrong type fall back to their defaults', async () => {
    await settings().update('configFile', 42, global);
    await settings().update('stsTimeoutSeconds', 'fast', global);
    await settings().update('refreshMinutesBefore', -5, global);
    await settings().update('terminalCredentials', 'carrier-pigeon', global);
    await settings().update('warningMinutes', { a: 1 }, global);
    // The default config (the role-switching fixture in the sandbox HOME) is what is read.
    const state = await waitFor('the default config', async () => {
      const s = await inspect();
      return s.tree.some((g) => (g.children ?? [g]).some((p) => p.label === 'dev-admin')) ? s : undefined;
    });
    assert.equal(state.statusBar.state === 'none' || state.statusBar.state === 'active', true);
    assert.equal(state.terminalEnv.AWS_CONTAINER_CREDENTIALS_FULL_URI, undefined, 'an unknown terminal mode is environment mode');
  });

  it('a directory where the config file should be: the view says so and names the path', async () => {
    const folder = path.join(dir, 'a-folder');
    await fs.mkdir(folder);
    await settings().update('configFile', folder, global);
    const state = await waitFor('the message about the directory', async () => {
      const s = await inspect();
      return s.treeMessage?.includes('is a directory') ? s : undefined;
    });
    assert.match(state.treeMessage ?? '', new RegExp(folder.replace(/[/\\]/g, '.')));
    assert.equal(await vscode.commands.executeCommand('awsRoles.assumeRole', 'dev-admin'), false);
    assert.match((await inspect()).lastFailure ?? '', /"dev-admin" is not in/);
  });

  it('a config file that does not exist: the welcome view, no error', async () => {
    await settings().update('configFile', path.join(dir, 'nope', 'config'), global);
    await settings().update('credentialsFile', path.join(dir, 'nope', 'credentials'), global);
    const state = await waitFor('an empty tree', async () => {
      const s = await inspect();
      return s.tree.length === 0 ? s : undefined;
    });
    assert.equal(state.treeMessage, undefined);
  });

  it('a file the AWS CLI refuses (a BOM): the view says so, and nothing is resolved from it', async () => {
    const bom = path.join(dir, 'bom-config');
    await fs.writeFile(bom, '\ufeff[profile x]\nrole_arn = arn:aws:iam::222222222222:role/X\nsource_profile = y\n');
    await settings().update('configFile', bom, global);
    const state = await waitFor('the refusal message', async () => {
      const s = await inspect();
      return s.treeMessage?.includes('refuses') ? s : undefined;
    });
    assert.match(state.treeMessage ?? '', /byte order mark/);
  });
});
