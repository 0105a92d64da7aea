import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID, inspect, waitFor } from './helpers';

// Runs on files of its own, chosen through the awsRoles.configFile / credentialsFile settings,
// so the role-switching suite's fixture is untouched (and the path settings are tested too).
const BROKEN_CONFIG = `[profile base]
region = eu-west-1

[profile lost]
role_arn = arn:aws:iam::222222222222:role/Admin
source_profile = nowhere

[profile loop-a]
role_arn = arn:aws:iam::222222222222:role/A
source_profile = loop-b

[profile loop-b]
role_arn = arn:aws:iam::222222222222:role/B
source_profile = loop-a

[profile jump]
role_arn = arn:aws:iam::222222222222:role/Jump
source_profile = base

[profile chained-long]
role_arn = arn:aws:iam::333333333333:role/Deep
source_profile = jump
duration_seconds = 7200
`;

const CREDENTIALS = `[base]
aws_access_key_id = AKIADIAGNOSTICS00001
aws_secret_access_key = diagnostics-secret-00000000000000000000
`;

const DUPLICATE_CREDENTIALS = `${CREDENTIALS}
[base]
aws_access_key_id = AKIADIAGNOSTICS00002
aws_secret_access_key = diagnostics-secret-00000000000000000002
`;

type Found = { line: number; code: string; severity: vscode.DiagnosticSeverity; message: string };

function ours(uri: vscode.Uri): Found[] {
  return vscode.languages
    .getDiagnostics(uri)
    .filter((d) => d.source === 'AWS Role Switcher')
    .map((d) => ({ line: d.range.start.line, code: String(d.code), severity: d.severity, message: d.message }));
}

function lineOf(text: string, needle: string, after?: string): number {
  const lines = text.split('\n');
  const start = after ? lines.indexOf(after) : 0;
  return lines.findIndex((l, i) => i >= start && l.startsWith(needle));
}

describe('Config diagnostics in a real VS Code', function () {
  this.timeout(60000);
  let dir: string;
  let configFile: string;
  let credentialsFile: string;
  const settings = () => vscode.workspace.getConfiguration('awsRoles');

  before(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'aws-roles-diag-'));
    configFile = path.join(dir, 'config');
    credentialsFile = path.join(dir, 'credentials');
    await fs.writeFile(configFile, BROKEN_CONFIG);
    await fs.writeFile(credentialsFile, CREDENTIALS, { mode: 0o600 });
    await settings().update('configFile', configFile, vscode.ConfigurationTarget.Global);
    await settings().update('credentialsFile', credentialsFile, vscode.ConfigurationTarget.Global);
    await waitFor('the tree to read the settings files', async () => (await inspect()).tree.some((g) => g.children?.some((p) => p.label === 'loop-a')));
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await settings().update('configFile', undefined, vscode.ConfigurationTarget.Global);
    await settings().update('credentialsFile', undefined, vscode.ConfigurationTarget.Global);
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('shows the problems of an open config file at their lines', async () => {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(configFile));
    await vscode.window.showTextDocument(doc);
    const found = await waitFor('diagnostics on the config file', () => {
      const list = ours(doc.uri);
      return list.length >= 4 ? list : undefined;
    });
    const at = (code: string) => found.filter((d) => d.code === code);
    assert.deepEqual(at('missingSourceProfile').map((d) => d.line), [lineOf(BROKEN_CONFIG, 'source_profile = nowhere')]);
    assert.match(at('missingSourceProfile')[0].message, /"nowhere"/);
    assert.deepEqual(at('sourceProfileCycle').map((d) => d.line).sort((a, b) => a - b), [lineOf(BROKEN_CONFIG, 'source_profile = loop-b'), lineOf(BROKEN_CONFIG, 'source_profile = loop-a')]);
    assert.match(at('sourceProfileCycle')[0].message, /loop-\w -> loop-\w -> loop-\w/);
    assert.deepEqual(at('chainedDuration').map((d) => d.line), [lineOf(BROKEN_CONFIG, 'duration_seconds = 7200')]);
    assert.ok(found.every((d) => d.severity === vscode.DiagnosticSeverity.Error), JSON.stringify(found));
  });

  it('marks broken profiles in the tree with the reason in the tooltip', async () => {
    const { tree } = await inspect();
    const rows = tree.flatMap((g) => g.children ?? []);
    const lost = rows.find((r) => r.label === 'lost');
    assert.equal(lost?.icon, 'error');
    assert.match(lost?.tooltip ?? '', /nowhere/);
    assert.doesNotMatch(lost?.contextValue ?? '', /;assumable;/);
    const jump = rows.find((r) => r.label === 'jump');
    assert.equal(jump?.icon, 'shield');
  });

  it('fixes the chained duration with a quick fix, and the diagnostic goes away on save', async () => {
    const uri = vscode.Uri.file(configFile);
    const line = lineOf(BROKEN_CONFIG, 'duration_seconds = 7200');
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, new vscode.Range(line, 0, line, 10));
    const fix = actions.find((a) => a.title === 'Set duration_seconds to 3600');
    assert.ok(fix?.edit, `quick fix offered among ${JSON.stringify(actions.map((a) => a.title))}`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === configFile);
    assert.ok(doc);
    assert.equal(doc.lineAt(line).text, 'duration_seconds = 3600');
    await doc.save();
    await waitFor('the chained-duration diagnostic to go', () => !ours(uri).some((d) => d.code === 'chainedDuration'));
    assert.ok(ours(uri).some((d) => d.code === 'missingSourceProfile'), 'the other problems stay');
  });

  it('says so when the AWS CLI would refuse the file (a duplicate section), at the duplicate', async () => {
    await fs.writeFile(credentialsFile, DUPLICATE_CREDENTIALS);
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(credentialsFile));
    await vscode.window.showTextDocument(doc);
    const found = await waitFor('a duplicate-section diagnostic', () => ours(doc.uri).find((d) => d.code === 'duplicateSection'));
    assert.equal(found.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(found.line, DUPLICATE_CREDENTIALS.split('\n').lastIndexOf('[base]'));
    assert.match(found.message, /base/);
    // The file is refused as a whole, as the CLI does: its keys are not used.
    const { tree } = await inspect();
    const base = tree.flatMap((g) => g.children ?? [g]).find((r) => r.label === 'base');
    assert.notEqual(base?.description, 'access keys');
  });

  it('clears the problems when the file is closed', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await waitFor('diagnostics to clear', () => ours(vscode.Uri.file(configFile)).length === 0);
  });
});
