import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import { LoopbackSts } from '../../support/loopbackSts';
import { treeConfig, treeCredentials, treeRoles as roles, treeSts } from '../../support/roleFixtures';
import { inspect, trackSts, waitFor } from './helpers';
import type { TreeSnapshotNode } from '../../../src/vscode/profileTree';

const configPath = process.env.AWS_CONFIG_FILE as string;
const credentialsPath = process.env.AWS_SHARED_CREDENTIALS_FILE as string;

const node = (name: string) => ({ type: 'profile', profile: { name } });
const group = (tree: TreeSnapshotNode[], label: string) => tree.find((n) => n.label === label);
const row = (tree: TreeSnapshotNode[], groupLabel: string, name: string) => group(tree, groupLabel)?.children?.find((n) => n.label === name);

describe('Tree driving: rows, context menu, filter, account names, pins', function () {
  this.timeout(60000);
  let sts: LoopbackSts;
  const settings = () => vscode.workspace.getConfiguration('awsRoles');

  before(async () => {
    sts = trackSts(new LoopbackSts(treeSts()));
    const { url } = await sts.start();
    await vscode.commands.executeCommand('awsRoles.dropCredentials');
    await fs.writeFile(configPath, treeConfig(url));
    await fs.writeFile(credentialsPath, treeCredentials(), { mode: 0o600 });
    await settings().update('accountNames', { '222222222222': 'Development', '12345': 'not an account id' }, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('awsRoles.refreshProfiles');
  });

  after(async () => {
    await vscode.commands.executeCommand('awsRoles.test.setFilter', '');
    await vscode.commands.executeCommand('awsRoles.unpinProfile', node('deploy'));
    await vscode.commands.executeCommand('awsRoles.dropCredentials');
    await settings().update('accountNames', undefined, vscode.ConfigurationTarget.Global);
    for (const editor of vscode.window.visibleTextEditors) await vscode.window.showTextDocument(editor.document).then(() => vscode.commands.executeCommand('workbench.action.closeActiveEditor'));
    await sts?.stop();
  });

  it('groups an account by its name from the setting; rows do not repeat the account, and mark MFA and chained roles', async () => {
    const tree = await waitFor('the named account group', async () => {
      const t = (await inspect()).tree;
      return group(t, 'Development (222222222222)') && group(t, 'Account 333333333333') ? t : undefined;
    });
    assert.deepEqual(tree.map((n) => n.label), ['Development (222222222222)', 'Account 333333333333', 'Other profiles'], 'named accounts first');
    assert.equal(row(tree, 'Development (222222222222)', 'dev')?.description, 'Developer');
    assert.equal(row(tree, 'Account 333333333333', 'deploy')?.description, 'Deployer · via dev');
    assert.equal(row(tree, 'Account 333333333333', 'guarded')?.description, 'Guarded · MFA');
    for (const n of group(tree, 'Account 333333333333')?.children ?? []) assert.doesNotMatch(n.description ?? '', /333333333333/);
    assert.match(row(tree, 'Development (222222222222)', 'dev')?.tooltip ?? '', /Account: `Development \(222222222222\)`/);
    const dev = row(tree, 'Development (222222222222)', 'dev')?.contextValue ?? '';
    for (const flag of ['assumable;', 'unpinned;', 'inConfig;', 'roleArn;']) assert.ok(dev.includes(flag), `${flag} in ${dev}`);
    // Keys have no role ARN to copy.
    assert.doesNotMatch(row(tree, 'Other profiles', 'base')?.contextValue ?? '', /;roleArn;/);
  });

  it('a single open of a row only selects it; a second one on the same row at once (a double-click) assumes it', async () => {
    sts.reset();
    assert.equal(await vscode.commands.executeCommand('awsRoles.openProfileRow', node('dev')), false);
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(await vscode.commands.executeCommand('awsRoles.openProfileRow', node('dev')), false, 'two clicks far apart are two single clicks');
    assert.equal((await inspect()).active, undefined);
    assert.equal(sts.requests.length, 0, 'no STS call for a click');
    await new Promise((r) => setTimeout(r, 700));
    const [first, second, third] = [
      await vscode.commands.executeCommand('awsRoles.openProfileRow', node('dev')),
      await vscode.commands.executeCommand('awsRoles.openProfileRow', node('dev')),
      await vscode.commands.executeCommand('awsRoles.openProfileRow', node('dev')),
    ];
    assert.deepEqual([first, second, third], [false, true, false], 'one assume per double-click, even with a third open');
    const state = await inspect();
    assert.equal(state.active?.profileName, 'dev');
    assert.equal(sts.requests.filter((r) => r.action === 'AssumeRole').length, 1);
  });

  it('marks the active row once (its icon), and names the account in the status bar', async () => {
    const state = await inspect();
    const dev = row(state.tree, 'Development (222222222222)', 'dev');
    assert.equal(dev?.icon, 'pass-filled');
    assert.equal(dev?.description, 'Developer', 'no "active" text besides the icon');
    assert.match(dev?.contextValue ?? '', /;active;/);
    assert.match(state.statusBar.text, /Developer @ Development/);
  });

  it('Open in Config opens the config at the profile\'s section header', async () => {
    await vscode.commands.executeCommand('awsRoles.openProfileInConfig', node('deploy'));
    const editor = await waitFor('the config in an editor', () => (vscode.window.activeTextEditor?.document.uri.fsPath === configPath ? vscode.window.activeTextEditor : undefined));
    assert.equal(editor.document.lineAt(editor.selection.active.line).text, '[profile deploy]');
    // base has a section in both files: the config's is the one opened.
    await vscode.commands.executeCommand('awsRoles.openProfileInConfig', node('base'));
    await waitFor('[profile base] selected', () => vscode.window.activeTextEditor?.document.lineAt(vscode.window.activeTextEditor.selection.active.line).text === '[profile base]');
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, configPath);
  });

  it('Copy Role ARN copies the role_arn', async () => {
    await vscode.env.clipboard.writeText('before');
    await vscode.commands.executeCommand('awsRoles.copyRoleArn', node('deploy'));
    assert.equal(await vscode.env.clipboard.readText(), roles.deploy);
    await vscode.commands.executeCommand('awsRoles.copyRoleArn', node('base'));
    assert.equal(await vscode.env.clipboard.readText(), roles.deploy, 'nothing copied for a profile without a role');
  });

  it('Pin puts a profile in a Pinned group at the top (it stays in its account too); Unpin takes it out', async () => {
    await vscode.commands.executeCommand('awsRoles.pinProfile', node('deploy'));
    let tree = (await inspect()).tree;
    assert.equal(tree[0].label, 'Pinned');
    assert.deepEqual(tree[0].children?.map((n) => n.label), ['deploy']);
    // Outside its account group, the row names the account.
    assert.equal(tree[0].children?.[0].description, 'Deployer · 333333333333 · via dev');
    assert.match(tree[0].children?.[0].contextValue ?? '', /;pinned;/);
    assert.match(row(tree, 'Account 333333333333', 'deploy')?.contextValue ?? '', /;pinned;/);
    await vscode.commands.executeCommand('awsRoles.unpinProfile', node('deploy'));
    tree = (await inspect()).tree;
    assert.equal(tree[0].label, 'Development (222222222222)');
    assert.match(row(tree, 'Account 333333333333', 'deploy')?.contextValue ?? '', /;unpinned;/);
  });

  it('shows the filter above the tree, and says when it matches nothing', async () => {
    await vscode.commands.executeCommand('awsRoles.test.setFilter', 'develop');
    let state = await inspect();
    assert.match(state.treeMessage ?? '', /^Filtered by "develop": 1 profile\./);
    assert.deepEqual(state.tree.map((n) => n.label), ['Development (222222222222)'], 'the account name matches');
    await vscode.commands.executeCommand('awsRoles.test.setFilter', 'no-such-thing');
    state = await inspect();
    assert.deepEqual(state.tree, []);
    assert.match(state.treeMessage ?? '', /^No profile matches "no-such-thing"\./);
    await vscode.commands.executeCommand('awsRoles.test.setFilter', '');
    state = await inspect();
    assert.equal(state.treeMessage, undefined);
    assert.ok(state.tree.length >= 3);
  });

  it('keeps a file error and the filter in the same message', async () => {
    const original = await fs.readFile(configPath, 'utf8');
    try {
      // A repeated section makes the CLI refuse the whole file (its profiles are gone; the credentials file's stay).
      await fs.writeFile(configPath, `${original}\n[profile dev]\nregion = us-east-1\n`);
      await vscode.commands.executeCommand('awsRoles.refreshProfiles');
      await vscode.commands.executeCommand('awsRoles.test.setFilter', 'base');
      const message = await waitFor('both messages', async () => {
        const m = (await inspect()).treeMessage ?? '';
        return /refuses/.test(m) && /Filtered by "base"/.test(m) ? m : undefined;
      });
      assert.match(message, /refuses .* Filtered by "base": 1 profile\./);
    } finally {
      await vscode.commands.executeCommand('awsRoles.test.setFilter', '');
      await fs.writeFile(configPath, original);
      await vscode.commands.executeCommand('awsRoles.refreshProfiles');
    }
  });
});
