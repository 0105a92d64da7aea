import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LoopbackSts } from '../../support/loopbackSts';
import { EXTENSION_ID, inspect, waitFor, trackSts } from './helpers';

// Issue 13, items 3 to 5, in a real VS Code: the MFA prompt forgives (an empty Enter, a refused
// code), the Assume Role pick puts roles first and marks profiles with a config problem, and
// the status bar says the profile and the role, the whole chain, and what a click does.
const alice = { arn: 'arn:aws:iam::111111111111:user/alice', accessKeyId: 'AKIAPROMPTSITALICE01', secretAccessKey: 'alice-it-prompts-secret-00000000000001' };
const mfa = { serial: 'arn:aws:iam::111111111111:mfa/alice-prompts', userArn: alice.arn, code: '135246' };
const roles = {
  dev: 'arn:aws:iam::222222222222:role/Developer',
  deploy: 'arn:aws:iam::333333333333:role/Deploy',
  secure: 'arn:aws:iam::222222222222:role/Secure',
};

interface PickSnapshot {
  title: string;
  active?: string;
  items: { label: string; description?: string; detail?: string; separator: boolean }[];
}
interface PromptSnapshot {
  title: string;
  prompt: string;
  placeholder: string;
  value: string;
  validationMessage?: string;
}
interface StatusItem {
  text: string;
  state: string;
  tooltip: string;
  command?: string;
  arguments?: unknown[];
  renewedMessage?: string;
}

const quickPick = async (activate?: string) => vscode.commands.executeCommand<PickSnapshot | undefined>('awsRoles.test.quickPick', activate);
const mfaPrompt = async (value?: string) => vscode.commands.executeCommand<PromptSnapshot | undefined>('awsRoles.test.mfaPrompt', value);
const statusItem = async () => vscode.commands.executeCommand<StatusItem>('awsRoles.test.statusBarItem');
const accept = () => vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');

describe('Prompts that forgive, roles first, a status bar in your own words (issue 13)', function () {
  this.timeout(90000);
  let sts: LoopbackSts;
  let dir: string;
  let configFile: string;
  const settings = () => vscode.workspace.getConfiguration('awsRoles');
  const global = vscode.ConfigurationTarget.Global;

  before(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
    sts = trackSts(
      new LoopbackSts({
        users: [alice],
        roles: [
          { arn: roles.dev, trustedPrincipals: [alice.arn] },
          { arn: roles.deploy, trustedPrincipals: [roles.dev] },
          { arn: roles.secure, trustedPrincipals: [alice.arn], requireMfa: true },
        ],
        mfaDevices: [mfa],
      }),
    );
    const stsUrl = (await sts.start()).url;
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'aws-roles-prompts-'));
    configFile = path.join(dir, 'config');
    const role = (name: string, arn: string, source: string, extra = '') => `[profile ${name}]\nrole_arn = ${arn}\nsource_profile = ${source}\nregion = eu-west-1\nservices = local\n${extra}\n`;
    await fs.writeFile(
      configFile,
      [
        `[services local]\nsts =\n  endpoint_url = ${stsUrl}\n`,
        `[profile pq-keys]\nregion = eu-west-1\nservices = local\n`,
        role('pq-dev', roles.dev, 'pq-keys'),
        role('pq-deploy', roles.deploy, 'pq-dev'),
        role('pq-mfa', roles.secure, 'pq-keys', `mfa_serial = ${mfa.serial}`),
        role('pq-broken', roles.dev, 'pq-ghost'),
        `[profile pq-sso]\nsso_session = pq-corp\nsso_account_id = 444444444444\nsso_role_name = Viewer\n`,
        `[sso-session pq-corp]\nsso_start_url = https://pq.awsapps.com/start\nsso_region = eu-west-1\n`,
      ].join('\n'),
    );
    // "aaa-keys" sorts before every role: with no history it used to be the first row.
    const keys = (name: string) => `[${name}]\naws_access_key_id = ${alice.accessKeyId}\naws_secret_access_key = ${alice.secretAccessKey}\n`;
    await fs.writeFile(path.join(dir, 'credentials'), `${keys('aaa-keys')}\n${keys('pq-keys')}`, { mode: 0o600 });
    await settings().update('configFile', configFile, global);
    await settings().update('credentialsFile', path.join(dir, 'credentials'), global);
    await waitFor('the prompts fixture in the tree', async () => (await inspect()).tree.some((g) => (g.children ?? [g]).some((p) => p.label === 'pq-broken')));
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('awsRoles.dropCredentials');
    sts.setMaxIssuedSeconds(undefined);
    for (const key of ['configFile', 'credentialsFile', 'mfaSession', 'autoRefresh', 'statusBar.format']) await settings().update(key, undefined, global);
    await sts.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  describe('Assume Role: roles first, problems marked', () => {
    it('lists role profiles first, then Identity Center, then keys after a separator, and marks the profile with a config error', async () => {
      const picking = vscode.commands.executeCommand<boolean>('awsRoles.assumeRole');
      const pick = await waitFor('the Assume Role pick', () => quickPick());
      assert.equal(pick.title, 'AWS: Assume Role');
      const rows = pick.items.map((i) => (i.separator ? `-- ${i.label}` : i.label.replace(/^\$\([\w-]+\) /, '')));
      assert.deepEqual(rows, ['pq-broken', 'pq-deploy', 'pq-dev', 'pq-mfa', 'pq-sso', '-- access keys and other sources', 'aaa-keys', 'pq-keys']);
      const broken = pick.items.find((i) => i.label.endsWith(' pq-broken'));
      assert.match(broken?.label ?? '', /^\$\(error\) /, 'marked like the tree marks it');
      assert.match(broken?.detail ?? '', /^config error: .*pq-ghost/);
      assert.match(pick.items.find((i) => i.label.endsWith(' pq-dev'))?.label ?? '', /^\$\(shield\) /, 'a sound role keeps its icon');

      // Picking it offers to open the config at its section, and does not try to assume it.
      sts.reset();
      assert.match((await quickPick('pq-broken'))?.active ?? '', /pq-broken/);
      await accept();
      const offer = await waitFor('the offer for the broken profile', async () => {
        const p = await quickPick();
        return p && p.title !== 'AWS: Assume Role' ? p : undefined;
      });
      assert.equal(offer.title, 'AWS: "pq-broken" has a config error');
      assert.deepEqual(offer.items.map((i) => i.label), ['$(go-to-file) Open Config at This Profile'], 'an error cannot be assumed anyway');
      await quickPick('Open Config at This Profile');
      await accept();
      assert.equal(await picking, false);
      assert.equal(sts.requests.length, 0, 'no STS call for a profile that cannot resolve');
      const editor = await waitFor('the config file at the profile', () => (vscode.window.activeTextEditor?.document.uri.fsPath === configFile ? vscode.window.activeTextEditor : undefined));
      assert.equal(editor.document.lineAt(editor.selection.active.line).text, '[profile pq-broken]');
    });
  });

  describe('The MFA prompt forgives', () => {
    it('an empty Enter keeps the prompt open with a hint; a refused code (GetSessionToken) opens it again with the reason; the next code switches', async () => {
      sts.reset();
      const switching = vscode.commands.executeCommand<boolean>('awsRoles.assumeRole', 'pq-mfa');
      const first = await waitFor('the MFA prompt', () => mfaPrompt());
      assert.equal(first.title, 'MFA code for pq-mfa');
      assert.equal(first.placeholder, '6 digits');
      assert.equal(first.prompt, `Enter the 6-digit code from ${mfa.serial}`);
      assert.equal(first.validationMessage, undefined, 'no complaint before anything was typed');

      await mfaPrompt('');
      await accept();
      const empty = await waitFor('the hint for an empty Enter', async () => {
        const p = await mfaPrompt();
        return p?.validationMessage ? p : undefined;
      });
      assert.match(empty.validationMessage ?? '', /^Enter the 6-digit code shown by .*alice-prompts, or press Escape to cancel\.$/);
      assert.equal(sts.requests.length, 0, 'nothing sent');

      await mfaPrompt('000000');
      await accept();
      const again = await waitFor('the prompt again after STS refused the code', async () => {
        const p = await mfaPrompt();
        return p?.title.includes('try 2') ? p : undefined;
      });
      assert.equal(again.title, 'MFA code for pq-mfa (try 2 of 3)');
      assert.equal(again.prompt, `That code was refused: enter the next one from ${mfa.serial}`);
      assert.match(again.validationMessage ?? '', /was not accepted/);
      assert.equal(again.value, '', 'the refused code is not kept');
      assert.deepEqual(sts.requests.filter((r) => r.action === 'GetSessionToken').map((r) => r.params.TokenCode), ['000000'], 'the refused code was sent once, not retried');

      await mfaPrompt(mfa.code);
      await accept();
      assert.equal(await switching, true, (await inspect()).lastFailure);
      assert.deepEqual(sts.requests.filter((r) => r.action === 'GetSessionToken').map((r) => r.params.TokenCode), ['000000', mfa.code]);
      assert.equal((await inspect()).active?.profileName, 'pq-mfa');
    });

    it('on AssumeRole with the code (no MFA session): a refused code re-asks, and Escape stops the switch with no further call', async () => {
      await settings().update('mfaSession', false, global);
      sts.reset();
      sts.setMfaCode(mfa.serial, '864200');
      const switching = vscode.commands.executeCommand<boolean>('awsRoles.assumeRole', 'pq-mfa');
      await waitFor('the MFA prompt', () => mfaPrompt());
      await mfaPrompt('111111');
      await accept();
      await waitFor('the prompt again', async () => ((await mfaPrompt())?.title.includes('try 2') ? true : undefined));
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      assert.equal(await switching, false);
      assert.match((await inspect()).lastFailure ?? '', /cancelled/);
      const calls = sts.requests.filter((r) => r.action === 'AssumeRole' || r.action === 'GetSessionToken');
      assert.deepEqual(calls.map((r) => `${r.action}:${r.params.TokenCode}`), ['AssumeRole:111111']);
    });
  });

  describe('The status bar in your own words', () => {
    it('says the profile and the role, the whole chain in the tooltip, and follows awsRoles.statusBar.format', async () => {
      assert.equal(await vscode.commands.executeCommand('awsRoles.assumeRole', 'pq-deploy'), true, (await inspect()).lastFailure);
      let item = await statusItem();
      assert.match(item.text, /^\$\(shield\) pq-deploy · Deploy @ 333333333333 (59:\d\d|1:00:00)$/);
      assert.match(item.tooltip, /Source chain: `pq-deploy` → `pq-dev` → `pq-keys`/);
      assert.equal(item.command, 'awsRoles.statusBarActions');

      await settings().update('statusBar.format', '{role} in {accountId}', global);
      item = await waitFor('the new format', async () => {
        const i = await statusItem();
        return i.text.startsWith('$(shield) Deploy in 333333333333 ') ? i : undefined;
      });
      await settings().update('statusBar.format', undefined, global);
      await waitFor('the default format again', async () => ((await statusItem()).text.includes('pq-deploy · Deploy @') ? true : undefined));
    });

    it('Refresh Credentials says it renewed', async () => {
      const before = (await inspect()).active?.accessKeyId;
      assert.equal(await vscode.commands.executeCommand('awsRoles.refreshCredentials'), true);
      assert.notEqual((await inspect()).active?.accessKeyId, before);
      assert.match((await statusItem()).renewedMessage ?? '', /^\$\(check\) Renewed the AWS credentials of pq-deploy, valid until /);
    });

    it('a click on an expired item does what its tooltip says: assumes that profile again', async () => {
      await settings().update('autoRefresh', false, global);
      sts.setMaxIssuedSeconds(3);
      assert.equal(await vscode.commands.executeCommand('awsRoles.assumeRole', 'pq-dev'), true, (await inspect()).lastFailure);
      const expired = await waitFor('the session to expire', async () => {
        const i = await statusItem();
        return i.state === 'expired' ? i : undefined;
      }, 15_000);
      sts.setMaxIssuedSeconds(undefined);
      assert.match(expired.text, /^\$\(error\) pq-dev · Developer @ 222222222222 expired$/);
      assert.match(expired.tooltip, /Click to assume "pq-dev" again\.$/);
      assert.equal(expired.command, 'awsRoles.assumeRole');
      assert.deepEqual(expired.arguments, ['pq-dev']);
      // What a click runs.
      assert.equal(await vscode.commands.executeCommand(expired.command, ...(expired.arguments ?? [])), true);
      const back = await statusItem();
      assert.equal(back.state, 'active');
      assert.match(back.text, /pq-dev · Developer @ 222222222222/);
    });
  });
});
