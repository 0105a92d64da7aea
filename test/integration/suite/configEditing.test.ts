import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LoopbackSts } from '../../support/loopbackSts';
import type { AskedPrompt, ScriptedAnswer } from '../../../src/vscode/scriptedUi';
import { ADD_ROLE_PROFILE_SCRIPTED_COMMAND } from '../../../src/vscode/testHooks';
import { EXTENSION_ID, inspect, trackSts, waitFor } from './helpers';

// Editing the two shared files in a real VS Code: completion, hover and the quick fix of a missing
// source_profile (items 10 of issue 13), and Add Role Profile's steps (item 11), answered from a
// script through a test hook, against a local STS that the new profile reaches through the
// endpoint settings it took from its source.
const alice = { arn: 'arn:aws:iam::111111111111:user/alice', accessKeyId: 'AKIACONFIGEDITALICE1', secretAccessKey: 'alice-config-editing-secret-000000001' };
const MFA = 'arn:aws:iam::111111111111:mfa/alice';
const LATE_ROLE = 'arn:aws:iam::444444444444:role/Late';

function fixture(stsUrl: string): string {
  return `[services local]
sts =
  endpoint_url = ${stsUrl}

[profile base]
region = eu-west-1
services = local

[profile dev]
role_arn = arn:aws:iam::222222222222:role/Dev
source_profile = base
mfa_serial = ${MFA}

[profile lost]
role_arn = arn:aws:iam::222222222222:role/Lost
source_profile = bsae

[profile ops]
role_arn = arn:aws:iam::222222222222:role/Ops
credential_source = Ec2

[profile corp-dev]
sso_session = corp
sso_account_id = 222222222222
sso_role_name = Dev

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
`;
}

const CREDENTIALS = `[base]
aws_access_key_id = ${alice.accessKeyId}
aws_secret_access_key = ${alice.secretAccessKey}

`;

type Item = { label: string; description?: string; documentation?: string };

function labelOf(item: vscode.CompletionItem): Item {
  const label = typeof item.label === 'string' ? { label: item.label } : { label: item.label.label, description: item.label.description };
  const doc = item.documentation;
  return { ...label, documentation: typeof doc === 'string' ? doc : doc?.value };
}

/** The completions at a place, without the editor's word-based ones (kind Text). */
async function complete(uri: vscode.Uri, at: vscode.Position): Promise<Item[]> {
  const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, at);
  return list.items.filter((i) => i.kind !== vscode.CompletionItemKind.Text).map(labelOf);
}

/** The position at the end of the first line that starts with `start`, after the line `after`. */
function endOf(document: vscode.TextDocument, start: string, after?: string): vscode.Position {
  const lines = document.getText().split('\n');
  const from = after ? lines.indexOf(after) : 0;
  const line = lines.findIndex((l, i) => i >= from && l.startsWith(start));
  assert.ok(line >= 0, `the document has a line starting ${start}`);
  return new vscode.Position(line, lines[line].length);
}

describe('Config editing in a real VS Code', function () {
  this.timeout(90000);
  let sts: LoopbackSts;
  let dir: string;
  let configFile: string;
  let credentialsFile: string;
  let configText: string;
  const settings = () => vscode.workspace.getConfiguration('awsRoles');
  const global = vscode.ConfigurationTarget.Global;

  before(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
    sts = trackSts(new LoopbackSts({ users: [alice], roles: [] }));
    const stsUrl = (await sts.start()).url;
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'aws-roles-config-editing-'));
    configFile = path.join(dir, 'config');
    credentialsFile = path.join(dir, 'credentials');
    configText = fixture(stsUrl);
    await fs.writeFile(configFile, configText);
    await fs.writeFile(credentialsFile, CREDENTIALS, { mode: 0o600 });
    await settings().update('configFile', configFile, global);
    await settings().update('credentialsFile', credentialsFile, global);
    await waitFor('the fixture in the tree', async () => (await inspect()).tree.some((g) => (g.children ?? [g]).some((p) => p.label === 'lost')));
  });

  after(async () => {
    await vscode.commands.executeCommand('awsRoles.dropCredentials');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await settings().update('configFile', undefined, global);
    await settings().update('credentialsFile', undefined, global);
    await sts.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('completes the keys a profile does not have yet, with what they mean', async () => {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(configFile));
    await vscode.window.showTextDocument(doc);
    // The blank line after [profile dev]'s keys is still in that section.
    const blank = new vscode.Position(endOf(doc, 'mfa_serial').line + 1, 0);
    const items = await complete(doc.uri, blank);
    const externalId = items.find((i) => i.label === 'external_id');
    assert.ok(externalId, JSON.stringify(items.map((i) => i.label)));
    assert.equal(externalId.description, 'ExternalId of the AssumeRole call');
    assert.match(externalId.documentation ?? '', /Sent as `ExternalId`/);
    assert.ok(items.some((i) => i.label === 'duration_seconds' && /900 to 43200/.test(i.documentation ?? '')));
    assert.ok(!items.some((i) => i.label === 'role_arn' || i.label === 'source_profile'), 'keys already set are not offered');
    assert.ok(!items.some((i) => i.label === 'sso_registration_scopes'), 'sso-session keys stay in their section');
  });

  it('completes profile names after source_profile =, credential_source values and sso-session names', async () => {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(configFile));
    const sources = await complete(doc.uri, endOf(doc, 'source_profile = bsae'));
    const base = sources.find((i) => i.label === 'base');
    assert.equal(base?.description, 'access keys', 'the profile kind, from both files');
    assert.deepEqual(sources.find((i) => i.label === 'dev')?.description, 'role', JSON.stringify(sources));
    assert.ok(!sources.some((i) => i.label === 'lost'), 'not the profile itself');
    const credentialSources = await complete(doc.uri, endOf(doc, 'credential_source = Ec2'));
    assert.deepEqual(credentialSources.map((i) => i.label), ['Environment', 'Ec2InstanceMetadata', 'EcsContainer']);
    const ssoSessions = await complete(doc.uri, endOf(doc, 'sso_session = corp'));
    assert.ok(ssoSessions.some((i) => i.label === 'corp' && i.description === '[sso-session corp]'), JSON.stringify(ssoSessions));
  });

  it('explains a key on hover', async () => {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(configFile));
    const at = endOf(doc, 'credential_source = Ec2').with({ character: 4 });
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, at);
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /\*\*credential_source\*\*/);
    assert.match(text, /Ec2InstanceMetadata/);
  });

  it('offers the existing profiles as quick fixes for a missing source_profile, and the fix clears the problem', async () => {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(configFile));
    await vscode.window.showTextDocument(doc);
    const line = endOf(doc, 'source_profile = bsae').line;
    await waitFor('the missing source_profile diagnostic', () => vscode.languages.getDiagnostics(doc.uri).find((d) => d.code === 'missingSourceProfile'));
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, new vscode.Range(line, 0, line, 5));
    const titles = actions.map((a) => a.title);
    assert.equal(titles[0], 'Use "base" as source_profile', `the closest name first: ${JSON.stringify(titles)}`);
    assert.ok(titles.includes('Use "dev" as source_profile'));
    assert.ok(!titles.some((t) => t.includes('"lost"')));
    const fix = actions[0];
    assert.ok(fix.edit && (await vscode.workspace.applyEdit(fix.edit)));
    assert.equal(doc.lineAt(line).text, 'source_profile = base');
    assert.ok(await doc.save());
    configText = doc.getText();
    await waitFor('the diagnostic to go', () => !vscode.languages.getDiagnostics(doc.uri).some((d) => d.code === 'missingSourceProfile'));
  });

  it('completes in the credentials file too, with its keys, and not in any other file', async () => {
    const credentials = await vscode.workspace.openTextDocument(vscode.Uri.file(credentialsFile));
    const items = await complete(credentials.uri, new vscode.Position(credentials.lineCount - 1, 0));
    assert.ok(items.some((i) => i.label === 'aws_session_token' && i.documentation), JSON.stringify(items.map((i) => i.label)));
    assert.ok(!items.some((i) => i.label === 'role_arn'), 'role_arn belongs in the config file');

    const other = path.join(dir, 'not-the-config');
    await fs.writeFile(other, configText);
    const otherDoc = await vscode.workspace.openTextDocument(vscode.Uri.file(other));
    const blank = new vscode.Position(endOf(otherDoc, 'mfa_serial').line + 1, 0);
    assert.deepEqual(await complete(otherDoc.uri, blank), [], 'nothing outside the two files');
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', otherDoc.uri, endOf(otherDoc, 'role_arn').with({ character: 2 }));
    assert.deepEqual(hovers, []);
  });

  it('Add Role Profile walks through numbered steps, offers the source\'s region and the MFA devices in use, carries the source\'s endpoint, and retries a failed Assume Now', async () => {
    let fixedAt: number | undefined;
    const answers: ScriptedAnswer[] = [
      LATE_ROLE,
      (asked) => asked.value ?? null, // the name suggested from the ARN
      'base',
      (asked) => asked.value ?? null, // the region suggested from the source
      'No MFA',
      '',
      'Assume Now',
      // Assuming failed (STS does not know the role yet): the role is created, then Retry.
      () => {
        sts.addRole({ arn: LATE_ROLE, trustedPrincipals: [alice.arn] });
        fixedAt = Date.now();
        return 'Retry';
      },
    ];
    const { name, asked } = await vscode.commands.executeCommand<{ name?: string; asked: AskedPrompt[] }>(ADD_ROLE_PROFILE_SCRIPTED_COMMAND, answers);
    assert.equal(name, 'late');
    const prompts = asked.filter((a) => a.type === 'input' || a.type === 'pick');
    assert.deepEqual(prompts.map((a) => a.title), [1, 2, 3, 4, 5, 6].map((n) => `AWS: Add Role Profile (${n}/6)`));
    const [, nameStep, sourceStep, regionStep, mfaStep] = prompts;
    assert.equal(nameStep.value, 'late');
    assert.deepEqual(sourceStep.items?.find((i) => i.label === 'base'), { label: 'base', description: 'access keys · eu-west-1', icon: 'key' });
    assert.equal(sourceStep.items?.find((i) => i.label === 'dev')?.icon, 'shield');
    assert.ok(!sourceStep.items?.some((i) => i.label === 'corp' || i.label === 'local'), 'sections that are not profiles are not sources');
    assert.equal(regionStep.value, 'eu-west-1');
    assert.deepEqual(mfaStep.items?.map((i) => i.label), [MFA, 'No MFA', 'Enter another MFA device…']);
    assert.equal(mfaStep.items?.[0].description, 'used by dev');

    const [added, failed] = asked.filter((a) => a.type === 'notify');
    assert.match(added.message ?? '', /STS goes where "base" sends it \(services = local\)/);
    assert.deepEqual(failed.actions, ['Retry', 'Open Config']);
    assert.equal(failed.severity, 'warning');
    assert.deepEqual(asked.filter((a) => a.type === 'assume').map((a) => a.assumed), [false, true]);
    assert.ok(fixedAt);

    const text = await fs.readFile(configFile, 'utf8');
    assert.ok(text.startsWith(configText), 'the rest of the file is as it was');
    assert.equal(text.slice(configText.length), `\n[profile late]\nrole_arn = ${LATE_ROLE}\nsource_profile = base\nregion = eu-west-1\nservices = local\n`);
    const state = await inspect();
    assert.equal(state.active?.profileName, 'late');
    assert.match(state.active?.arn ?? '', /assumed-role\/Late\//, 'STS was the local one the source uses');
    configText = text;
  });

  it('Add Role Profile refuses what a step refuses, and the command argument is still validated and written as given', async () => {
    const refused = await vscode.commands.executeCommand<{ name?: string; asked: AskedPrompt[] }>(ADD_ROLE_PROFILE_SCRIPTED_COMMAND, ['arn:aws:iam::1:role/Short']);
    assert.equal(refused.name, undefined);
    assert.match(refused.asked[0].refused ?? '', /arn:aws:iam::123456789012:role\/RoleName/);

    const viaMfa = await vscode.commands.executeCommand<{ name?: string; asked: AskedPrompt[] }>(ADD_ROLE_PROFILE_SCRIPTED_COMMAND, ['arn:aws:iam::555555555555:role/Typed', 'typed', 'base', '', 'Enter another MFA device…', 'arn:aws:iam::111111111111:mfa/other', 'ci-job', null]);
    assert.equal(viaMfa.name, 'typed');
    assert.equal(viaMfa.asked.filter((a) => a.type === 'input').at(-2)?.title, 'AWS: Add Role Profile (5/6)', 'the typed device is still step 5');
    const afterTyped = await fs.readFile(configFile, 'utf8');
    assert.equal(afterTyped.slice(configText.length), '\n[profile typed]\nrole_arn = arn:aws:iam::555555555555:role/Typed\nsource_profile = base\nmfa_serial = arn:aws:iam::111111111111:mfa/other\nrole_session_name = ci-job\nservices = local\n');

    const preset = { name: 'preset', roleArn: 'arn:aws:iam::444444444444:role/Preset', sourceProfile: 'base', region: 'eu-west-1' };
    assert.equal(await vscode.commands.executeCommand('awsRoles.addRoleProfile', preset), 'preset');
    assert.ok((await fs.readFile(configFile, 'utf8')).endsWith('[profile preset]\nrole_arn = arn:aws:iam::444444444444:role/Preset\nsource_profile = base\nregion = eu-west-1\n'), 'written as given');
    assert.equal(await vscode.commands.executeCommand('awsRoles.addRoleProfile', { ...preset, name: 'preset-2', endpointUrl: 'file:///etc/passwd' }), undefined);
    assert.equal(await vscode.commands.executeCommand('awsRoles.addRoleProfile', { ...preset, name: 'preset-3', sourceProfile: 'nowhere' }), undefined);
    assert.doesNotMatch(await fs.readFile(configFile, 'utf8'), /preset-[23]/);
  });
});
