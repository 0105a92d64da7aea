import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { findCliV1 } from '../../support/awsCliV1';
import { LoopbackIdentityCenter } from '../../support/loopbackIdentityCenter';
import { LoopbackSts } from '../../support/loopbackSts';
import type { TreeSnapshotNode } from '../../../src/vscode/profileTree';
import { EXTENSION_ID, inspect, runInNewTerminal, trackSts, waitFor } from './helpers';

// IAM Identity Center in a real VS Code: sign in (authorization code with PKCE, device code), the
// token in the AWS CLI's cache file, every account and role in the tree, a discovered role in a
// terminal where the real AWS CLI v1 and boto3 answer as it, renewal before expiry, a refused
// renewal that asks once, Write Identity Center Profiles, sign-out. The browser is a plain HTTP
// client (a test hook) that follows the authorize page's redirect to the extension's loopback
// callback; the e2e suite does it with a real browser.
const START_URL = 'https://corp-test.awsapps.com/start';
const LEGACY_URL = 'https://legacy-test.awsapps.com/start';
const ACCOUNTS = [
  { accountId: '111111111111', accountName: 'Production', emailAddress: 'prod@example.com', roles: ['Admin', 'ReadOnly'] },
  { accountId: '222222222222', accountName: 'Development', emailAddress: 'dev@example.com', roles: ['Developer'] },
  { accountId: '333333333333', accountName: 'Sandbox', emailAddress: 'sandbox@example.com', roles: ['Developer', 'Admin'] },
];

function sessionNode(tree: TreeSnapshotNode[]): TreeSnapshotNode | undefined {
  return tree.find((n) => n.label === 'corp — IAM Identity Center');
}

function tokenFile(home: string, key = 'corp'): string {
  return path.join(home, '.aws', 'sso', 'cache', `${createHash('sha1').update(key).digest('hex')}.json`);
}

/** The python the AWS CLI v1 runs on (it has boto3). */
async function pythonOfCliV1(): Promise<string> {
  const cli = findCliV1();
  if (cli.args[0] === '-m') return cli.file;
  const shebang = (await fs.readFile(cli.file, 'utf8')).split('\n')[0];
  return shebang.replace(/^#!\s*/, '').trim();
}

describe('IAM Identity Center in a real VS Code', function () {
  this.timeout(120000);
  let sts: LoopbackSts;
  let idc: LoopbackIdentityCenter;
  let dir: string;
  let configFile: string;
  let stsUrl: string;
  const home = os.homedir();
  const settings = () => vscode.workspace.getConfiguration('awsRoles');
  const saved = { AWS_ENDPOINT_URL_SSO: process.env.AWS_ENDPOINT_URL_SSO, AWS_ENDPOINT_URL_SSO_OIDC: process.env.AWS_ENDPOINT_URL_SSO_OIDC, AWS_ENDPOINT_URL_STS: process.env.AWS_ENDPOINT_URL_STS };

  async function writeConfig(extra = ''): Promise<void> {
    await fs.writeFile(
      configFile,
      `[services local]
sts =
  endpoint_url = ${stsUrl}

[sso-session corp]
sso_start_url = ${START_URL}
sso_region = us-east-1
sso_registration_scopes = sso:account:access
region = eu-west-1

[profile prod-admin]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Admin
region = eu-west-1
services = local
${extra}`,
    );
    await vscode.commands.executeCommand('awsRoles.refreshProfiles');
  }

  async function signIn(): Promise<void> {
    assert.equal(await vscode.commands.executeCommand('awsRoles.ssoSignIn', 'corp'), true, `sign-in failed: ${(await inspect()).lastFailure ?? ''}`);
  }

  before(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
    sts = trackSts(new LoopbackSts({ users: [], roles: [] }));
    stsUrl = (await sts.start()).url;
    idc = trackSts(new LoopbackIdentityCenter({ sts, startUrls: [START_URL, LEGACY_URL], accounts: ACCOUNTS, pageSize: 2 }));
    const urls = await idc.start();
    process.env.AWS_ENDPOINT_URL_SSO_OIDC = urls.oidcUrl;
    process.env.AWS_ENDPOINT_URL_SSO = urls.portalUrl;
    // Discovered roles have no services section: the caller identity check goes where the environment says.
    process.env.AWS_ENDPOINT_URL_STS = stsUrl;
    // code-server's extension host is a remote one (auto would pick the device code flow there).
    await settings().update('sso.flow', 'authorizationCode', vscode.ConfigurationTarget.Global);
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'aws-roles-idc-'));
    configFile = path.join(dir, 'config');
    await settings().update('configFile', configFile, vscode.ConfigurationTarget.Global);
    await settings().update('credentialsFile', path.join(dir, 'credentials'), vscode.ConfigurationTarget.Global);
    await writeConfig();
    await vscode.commands.executeCommand('awsRoles.test.ssoHttpBrowser');
  });

  after(async () => {
    await vscode.commands.executeCommand('awsRoles.dropCredentials');
    await vscode.commands.executeCommand('awsRoles.ssoSignOut', 'corp').then(undefined, () => undefined);
    await settings().update('sso.flow', undefined, vscode.ConfigurationTarget.Global);
    await settings().update('configFile', undefined, vscode.ConfigurationTarget.Global);
    await settings().update('credentialsFile', undefined, vscode.ConfigurationTarget.Global);
    await settings().update('sso.flow', undefined, vscode.ConfigurationTarget.Global);
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await idc?.stop();
    await sts?.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('before sign-in: the sso-session is in the tree, not signed in, and a discovered role cannot be used', async () => {
    const node = await waitFor('the sso-session row', async () => sessionNode((await inspect()).tree));
    assert.match(node.description ?? '', /^not signed in/);
    assert.match(node.contextValue ?? '', /;ssoSession;$/);
    await assert.rejects(fs.stat(tokenFile(home)));
  });

  it('signs in with PKCE: the browser goes to the OIDC endpoint the SDK resolves, then back to a loopback callback; the token is in the CLI cache file, mode 600', async () => {
    await signIn();
    const state = await inspect();
    assert.deepEqual(state.identityCenter.opened.slice(0, 2).map((u) => u.replace(/^http:\/\/127\.0\.0\.1:\d+\//, 'http://127.0.0.1:PORT/')), [`${idc.oidcUrl}/authorize`, 'http://127.0.0.1:PORT/oauth/callback']);
    const file = tokenFile(home);
    const stat = await fs.stat(file);
    assert.equal(stat.mode & 0o777, 0o600);
    const token = JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, string>;
    assert.deepEqual(Object.keys(token).sort(), ['accessToken', 'clientId', 'clientSecret', 'expiresAt', 'refreshToken', 'region', 'registrationExpiresAt', 'startUrl'].sort());
    assert.equal(token.startUrl, START_URL);
    assert.equal(token.region, 'us-east-1');
    assert.match(token.expiresAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(token.registrationExpiresAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(idc.isAccessTokenValid(token.accessToken), 'the stand-in issued this token');
    const authorize = idc.requests.find((r) => r.operation === 'Authorize');
    assert.match(authorize?.rawQuery ?? '', /^response_type=code&client_id=[^&]+&redirect_uri=http%3A%2F%2F127\.0\.0\.1%3A\d+%2Foauth%2Fcallback&state=[^&]+&code_challenge_method=S256&scopes=sso%3Aaccount%3Aaccess&code_challenge=[\w-]{43}$/);
    // Nothing else is written to the CLI's cache folder (no registration file).
    assert.deepEqual(await fs.readdir(path.dirname(file)), [path.basename(file)]);
  });

  it('lists every account by name and id and their roles, marks the config profile that reaches one, and does not repeat it', async () => {
    const node = await waitFor('the discovered accounts', async () => {
      const n = sessionNode((await inspect()).tree);
      return n?.children?.length === 3 ? n : undefined;
    });
    assert.match(node.description ?? '', /^signed in · renews itself · 3 accounts$/);
    assert.match(node.contextValue ?? '', /;ssoSession;signedIn;$/);
    assert.deepEqual(
      node.children?.map((a) => [a.label, a.description, a.children?.map((r) => r.label)]),
      [
        ['Development', '222222222222', ['Developer']],
        // Admin is reached by the config's prod-admin profile: shown there, not twice.
        ['Production', '111111111111', ['ReadOnly']],
        ['Sandbox', '333333333333', ['Admin', 'Developer']],
      ],
    );
    const role = node.children?.[0].children?.[0];
    assert.match(role?.contextValue ?? '', /^profile;sso;assumable;.*discovered;/);
    const prodAdmin = (await inspect()).tree.flatMap((g) => g.children ?? [g]).find((p) => p.label === 'prod-admin');
    assert.match(prodAdmin?.description ?? '', /in corp/);
    const discovery = (await inspect()).identityCenter.lastDiscovery;
    assert.equal(discovery?.accounts, 3);
    assert.equal(discovery?.roles, 5);
    // One ListAccounts (discovery asks for pages of 100) + one ListAccountRoles per account.
    assert.equal(discovery?.calls, 4);
  });

  it('the filter matches account names', async () => {
    try {
      await vscode.commands.executeCommand('awsRoles.test.setFilter', 'sandbox');
      const state = await inspect();
      assert.equal(state.filter, 'sandbox');
      const node = sessionNode(state.tree);
      assert.deepEqual(node?.children?.map((a) => a.label), ['Sandbox']);
    } finally {
      await vscode.commands.executeCommand('awsRoles.clearFilter');
    }
  });

  it('a discovered role is assumed by its keybinding argument, and the real AWS CLI and boto3 in a new terminal answer as it', async () => {
    assert.equal(await vscode.commands.executeCommand('awsRoles.assumeRole', { ssoSession: 'corp', accountId: '222222222222', roleName: 'Developer' }), true, (await inspect()).lastFailure);
    const state = await inspect();
    assert.equal(state.active?.profileName, 'corp/222222222222/Developer');
    assert.match(state.active?.arn ?? '', /^arn:aws:sts::222222222222:assumed-role\/Developer\//);
    assert.equal(state.active?.region, 'eu-west-1');
    // The account's name from discovery, not only its id.
    assert.match(state.statusBar.text, /\) Developer @ Development \d+:\d\d$/);
    const cli = findCliV1();
    const python = await pythonOfCliV1();
    await runInNewTerminal(
      'idc-role',
      dir,
      `AWS_ENDPOINT_URL_STS=${stsUrl} ${[cli.file, ...cli.args].join(' ')} sts get-caller-identity --output text --query Arn > cli-arn.txt 2> cli.err; ` +
        `AWS_ENDPOINT_URL_STS=${stsUrl} ${python} -c "import boto3; print(boto3.client('sts', region_name='eu-west-1').get_caller_identity()['Arn'])" > boto3-arn.txt 2> boto3.err`,
    );
    assert.equal((await fs.readFile(path.join(dir, 'cli-arn.txt'), 'utf8')).trim(), state.active?.arn, await fs.readFile(path.join(dir, 'cli.err'), 'utf8'));
    assert.equal((await fs.readFile(path.join(dir, 'boto3-arn.txt'), 'utf8')).trim(), state.active?.arn, await fs.readFile(path.join(dir, 'boto3.err'), 'utf8'));
    await vscode.commands.executeCommand('awsRoles.dropCredentials');
  });

  it('the config profile of the same session uses the same token (no second sign-in), through the portal', async () => {
    const before = idc.stats().calls.CreateToken ?? 0;
    assert.equal(await vscode.commands.executeCommand('awsRoles.assumeRole', 'prod-admin'), true, (await inspect()).lastFailure);
    assert.match((await inspect()).active?.arn ?? '', /^arn:aws:sts::111111111111:assumed-role\/Admin\//);
    assert.equal(idc.stats().calls.CreateToken ?? 0, before);
    await vscode.commands.executeCommand('awsRoles.dropCredentials');
  });

  it('renews the token in the background when less than 15 minutes remain: new access token, rotated refresh token, no prompt', async () => {
    const file = tokenFile(home);
    const old = JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, string>;
    // As if 10 minutes were left.
    await fs.writeFile(file, JSON.stringify({ ...old, expiresAt: new Date(Date.now() + 10 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z') }), { mode: 0o600 });
    await vscode.commands.executeCommand('awsRoles.test.ssoRenew', 'corp');
    const renewed = JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, string>;
    assert.notEqual(renewed.accessToken, old.accessToken);
    assert.notEqual(renewed.refreshToken, old.refreshToken);
    assert.ok(Date.parse(renewed.expiresAt) > Date.now() + 60 * 60_000);
    assert.equal(idc.refreshTokenState(old.refreshToken), 'used');
    assert.deepEqual((await inspect()).identityCenter.warned, []);
  });

  it('a refused renewal asks once, with Sign In, and never opens a browser by itself', async () => {
    // A fresh sign-in: its token is renewed at once when it is due (the one-a-minute limit is per token).
    await signIn();
    const file = tokenFile(home);
    const current = JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, string>;
    idc.revokeRefreshTokens();
    await fs.writeFile(file, JSON.stringify({ ...current, expiresAt: new Date(Date.now() + 10 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z') }), { mode: 0o600 });
    const opened = (await inspect()).identityCenter.opened.length;
    await vscode.commands.executeCommand('awsRoles.test.ssoRenew', 'corp');
    const after = JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, string>;
    assert.equal(after.refreshToken, current.refreshToken, 'the refused refresh token is kept');
    assert.deepEqual(idc.requests.slice(-1).map((r) => [r.operation, r.status]), [['CreateToken', 400]]);
    await waitFor('the Sign In notification', async () => (await inspect()).identityCenter.warned.includes('session:corp'));
    await vscode.commands.executeCommand('awsRoles.test.ssoRenew', 'corp');
    const state = await inspect();
    assert.deepEqual(state.identityCenter.warned, ['session:corp']);
    assert.equal(state.identityCenter.opened.length, opened, 'no browser page was opened');
  });

  it('signs in again with the device code flow: the verification page confirms the code, the token is replaced', async () => {
    await settings().update('sso.flow', 'deviceCode', vscode.ConfigurationTarget.Global);
    // The user confirms the code 2.5 s later: the extension polls (AuthorizationPending) meanwhile.
    await vscode.commands.executeCommand('awsRoles.test.ssoHttpBrowser', { delayMs: 2500 });
    try {
      const before = (await inspect()).identityCenter.opened.length;
      const polls = idc.requests.filter((r) => r.operation === 'CreateToken').length;
      await signIn();
      assert.ok(idc.requests.filter((r) => r.operation === 'CreateToken').length - polls >= 2, 'polled while the code was not confirmed yet');
      const state = await inspect();
      assert.deepEqual(state.identityCenter.opened.slice(before), [`${idc.oidcUrl}/device`]);
      assert.ok(idc.requests.some((r) => r.operation === 'StartDeviceAuthorization'));
      const token = JSON.parse(await fs.readFile(tokenFile(home), 'utf8')) as Record<string, string>;
      assert.ok(idc.isAccessTokenValid(token.accessToken));
      assert.deepEqual(state.identityCenter.warned, [], 'a new sign-in ends the episode');
    } finally {
      await vscode.commands.executeCommand('awsRoles.test.ssoHttpBrowser');
      await settings().update('sso.flow', 'authorizationCode', vscode.ConfigurationTarget.Global);
    }
  });

  it('in auto mode, a remote window (code-server: remoteName is set) signs in with the device code flow', async () => {
    await settings().update('sso.flow', 'auto', vscode.ConfigurationTarget.Global);
    try {
      assert.ok(vscode.env.remoteName, 'code-server runs the extension host as a remote');
      const before = (await inspect()).identityCenter.opened.length;
      await signIn();
      assert.deepEqual((await inspect()).identityCenter.opened.slice(before), [`${idc.oidcUrl}/device`]);
    } finally {
      await settings().update('sso.flow', 'authorizationCode', vscode.ConfigurationTarget.Global);
    }
  });

  it('Write Identity Center Profiles writes one profile per account and role, marked, that the AWS CLI reads', async () => {
    assert.equal(await vscode.commands.executeCommand('awsRoles.ssoWriteProfiles', 'corp'), true);
    const text = await fs.readFile(configFile, 'utf8');
    assert.match(text, /\[profile Development\/Developer\]\nsso_session = corp\nsso_account_id = 222222222222\nsso_role_name = Developer\nregion = eu-west-1\nrole_switcher_managed = corp\n/);
    assert.equal((text.match(/role_switcher_managed = corp/g) ?? []).length, 5);
    assert.match(text, /\[profile prod-admin\]\nsso_session = corp\nsso_account_id = 111111111111/, 'the user profile is untouched');
    // Now in the config: shown by account like every profile, marked as listed by corp, not a second time under corp.
    const state = await waitFor('the written profiles in the tree', async () => {
      const s = await inspect();
      return s.tree.some((g) => g.children?.some((p) => p.label === 'Development/Developer')) ? s : undefined;
    });
    const written = state.tree.flatMap((g) => g.children ?? []).find((p) => p.label === 'Development/Developer');
    assert.match(written?.description ?? '', /in corp/);
    assert.equal(sessionNode(state.tree)?.children?.length ?? 0, 0);
  });

  it('signs out: Logout at the portal, the token file deleted, the tree says so; a discovered role then asks to sign in', async () => {
    const token = JSON.parse(await fs.readFile(tokenFile(home), 'utf8')) as Record<string, string>;
    assert.equal(await vscode.commands.executeCommand('awsRoles.ssoSignOut', 'corp'), true);
    await assert.rejects(fs.stat(tokenFile(home)));
    assert.equal(idc.isAccessTokenValid(token.accessToken), false);
    const node = sessionNode((await inspect()).tree);
    assert.match(node?.description ?? '', /^not signed in/);
    assert.equal(await vscode.commands.executeCommand('awsRoles.assumeRole', 'Sandbox/Admin'), false);
    assert.match((await inspect()).lastFailure ?? '', /not signed in to IAM Identity Center for sso-session "corp".*Sign In to IAM Identity Center/);
    // Answering Sign In signs in and carries on with the same role.
    assert.equal(await vscode.commands.executeCommand('awsRoles.test.assumeWithSignInAnswer', 'Sandbox/Admin', true), true);
    assert.match((await inspect()).active?.arn ?? '', /^arn:aws:sts::333333333333:assumed-role\/Admin\//);
    await vscode.commands.executeCommand('awsRoles.dropCredentials');
  });

  it('legacy profiles (their own sso_start_url): signed in as they are with the device code flow, the token named by the start URL', async () => {
    await writeConfig(`
[profile legacy-dev]
sso_start_url = ${LEGACY_URL}
sso_region = us-east-1
sso_account_id = 222222222222
sso_role_name = Developer
region = eu-west-1
`);
    const before = (await inspect()).identityCenter.opened.length;
    assert.equal(await vscode.commands.executeCommand('awsRoles.ssoSignIn', { profile: 'legacy-dev', convertTo: false }), true, (await inspect()).lastFailure);
    assert.deepEqual((await inspect()).identityCenter.opened.slice(before), [`${idc.oidcUrl}/device`]);
    const legacy = JSON.parse(await fs.readFile(tokenFile(home, LEGACY_URL), 'utf8')) as Record<string, string>;
    assert.equal(legacy.startUrl, LEGACY_URL);
    assert.equal(legacy.refreshToken, undefined, 'a legacy registration gets no refresh token');
    assert.equal(await vscode.commands.executeCommand('awsRoles.assumeRole', 'legacy-dev'), true, (await inspect()).lastFailure);
    assert.match((await inspect()).active?.arn ?? '', /^arn:aws:sts::222222222222:assumed-role\/Developer\//);
    await vscode.commands.executeCommand('awsRoles.dropCredentials');
  });

  it('converts legacy profiles to an sso-session when asked, then signs in with PKCE and lists the accounts', async () => {
    assert.equal(await vscode.commands.executeCommand('awsRoles.ssoSignIn', { profile: 'legacy-dev', convertTo: 'legacy' }), true, (await inspect()).lastFailure);
    const text = await fs.readFile(configFile, 'utf8');
    assert.match(text, /\[profile legacy-dev\]\nsso_session = legacy\nsso_start_url = /);
    assert.match(text, /\n\[sso-session legacy\]\nsso_start_url = https:\/\/legacy-test\.awsapps\.com\/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n$/);
    const token = JSON.parse(await fs.readFile(tokenFile(home, 'legacy'), 'utf8')) as Record<string, string>;
    assert.ok(token.refreshToken, 'an sso-session token renews itself');
    const group = await waitFor('the legacy session group with its accounts', async () => {
      const g = (await inspect()).tree.find((n) => n.label === 'legacy — IAM Identity Center');
      return g?.children?.length ? g : undefined;
    });
    // Development's only role is the converted legacy-dev profile: shown there (marked), so the account has nothing else to list.
    assert.deepEqual(group.children?.map((a) => a.label), ['Production', 'Sandbox']);
    const legacyDev = (await inspect()).tree.flatMap((g) => g.children ?? [g]).find((p) => p.label === 'legacy-dev');
    assert.match(legacyDev?.description ?? '', /in legacy/);
  });
});
