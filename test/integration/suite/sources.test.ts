import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { FakeSsoPortal } from '../../support/fakeCredentialEndpoints';
import { LoopbackSts } from '../../support/loopbackSts';
import { EXTENSION_ID, inspect, parseEnvFile, runInNewTerminal, waitFor, trackSts } from './helpers';

// Sources other than keys in a real VS Code: IAM Identity Center (with the token `aws sso login`
// leaves in ~/.aws/sso/cache) and credential_process, picked directly and as role sources.
// Uses files of its own through the path settings, like the diagnostics suite.
const AWS_CLI = '/usr/bin/aws';
const alice = { arn: 'arn:aws:iam::111111111111:user/alice', accessKeyId: 'AKIASOURCESITALICE01', secretAccessKey: 'alice-it-sources-secret-0000000000000001' };
const SSO_ACCOUNT = '666666666666';
const SSO_TOKEN = 'it-sso-access-token-0001';
const TARGET = 'arn:aws:iam::222222222222:role/Target';

describe('Credential sources in a real VS Code', function () {
  this.timeout(60000);
  let sts: LoopbackSts;
  let stsUrl: string;
  let portal: FakeSsoPortal;
  let dir: string;
  let tokenFile: string;
  const settings = () => vscode.workspace.getConfiguration('awsRoles');
  const savedSsoEndpoint = process.env.AWS_ENDPOINT_URL_SSO;

  before(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
    sts = trackSts(new LoopbackSts({ users: [alice], roles: [{ arn: TARGET, trustedPrincipals: [FakeSsoPortal.roleArn(SSO_ACCOUNT, 'PowerUser'), alice.arn] }] }));
    stsUrl = (await sts.start()).url;
    portal = new FakeSsoPortal(sts);
    portal.allow(SSO_TOKEN, SSO_ACCOUNT, 'PowerUser');
    // The suite runs in the extension's own host process: this is the environment the extension reads.
    process.env.AWS_ENDPOINT_URL_SSO = await portal.start();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'aws-roles-sources-'));
    await fs.writeFile(path.join(dir, 'creds.js'), `process.stdout.write(JSON.stringify({ Version: 1, AccessKeyId: ${JSON.stringify(alice.accessKeyId)}, SecretAccessKey: ${JSON.stringify(alice.secretAccessKey)} }))`);
    const config = `[services local]
sts =
  endpoint_url = ${stsUrl}

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1

[profile sso-power]
sso_session = corp
sso_account_id = ${SSO_ACCOUNT}
sso_role_name = PowerUser
region = eu-west-1
services = local

[profile via-sso]
role_arn = ${TARGET}
source_profile = sso-power
region = eu-west-1
services = local

[profile proc]
credential_process = ${process.execPath} ${path.join(dir, 'creds.js')}
region = eu-west-1
services = local
`;
    await fs.writeFile(path.join(dir, 'config'), config);
    await settings().update('configFile', path.join(dir, 'config'), vscode.ConfigurationTarget.Global);
    await settings().update('credentialsFile', path.join(dir, 'credentials'), vscode.ConfigurationTarget.Global);
    await waitFor('the sources config in the tree', async () => (await inspect()).tree.some((g) => (g.children ?? [g]).some((p) => p.label === 'sso-power')));
    tokenFile = path.join(os.homedir(), '.aws', 'sso', 'cache', `${createHash('sha1').update('corp').digest('hex')}.json`);
    await fs.mkdir(path.dirname(tokenFile), { recursive: true });
    await fs.rm(tokenFile, { force: true });
  });

  after(async () => {
    await vscode.commands.executeCommand('awsRoles.dropCredentials');
    await settings().update('configFile', undefined, vscode.ConfigurationTarget.Global);
    await settings().update('credentialsFile', undefined, vscode.ConfigurationTarget.Global);
    if (savedSsoEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL_SSO;
    else process.env.AWS_ENDPOINT_URL_SSO = savedSsoEndpoint;
    await fs.rm(tokenFile, { force: true });
    await sts?.stop();
    await portal?.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('shows Identity Center and process profiles as assumable, grouped by account', async () => {
    const { tree } = await inspect();
    const account = tree.find((g) => g.label === `Account ${SSO_ACCOUNT}`);
    const sso = account?.children?.find((p) => p.label === 'sso-power');
    assert.equal(sso?.icon, 'organization');
    assert.equal(sso?.description, 'PowerUser', 'the account is its group');
    assert.match(sso?.contextValue ?? '', /;assumable;/);
    const proc = tree.find((g) => g.label === 'Other profiles')?.children?.find((p) => p.label === 'proc');
    assert.equal(proc?.icon, 'terminal');
    assert.match(proc?.contextValue ?? '', /;assumable;/);
  });

  it('without an SSO token: refuses, changes nothing, and asks for aws sso login', async () => {
    const before = await inspect();
    assert.equal(await vscode.commands.executeCommand('awsRoles.assumeRole', 'sso-power'), false);
    const after = await inspect();
    assert.deepEqual(after.active, before.active);
    assert.deepEqual(after.terminalEnv, before.terminalEnv);
    assert.equal(portal.requests.length, 0, 'no token, so the portal was not asked');
  });

  it('with the token aws sso login leaves: the permission set becomes the session, with its countdown', async () => {
    await fs.writeFile(tokenFile, JSON.stringify({ startUrl: 'https://corp.awsapps.com/start', region: 'eu-west-1', accessToken: SSO_TOKEN, expiresAt: new Date(Date.now() + 3600_000).toISOString() }));
    assert.equal(await vscode.commands.executeCommand('awsRoles.assumeRole', 'sso-power'), true);
    const state = await inspect();
    assert.equal(portal.requests.at(-1)?.headers['x-amz-sso_bearer_token'], SSO_TOKEN);
    assert.match(state.active?.arn ?? '', /^arn:aws:sts::666666666666:assumed-role\/AWSReservedSSO_PowerUser_/);
    assert.match(state.statusBar.text, / sso-power · PowerUser @ 666666666666 (59:\d\d|1:00:00)$/);
    assert.equal(state.terminalEnv.AWS_ACCESS_KEY_ID, state.active?.accessKeyId);
  });

  it('a role sourced from Identity Center, and the real AWS CLI in a new terminal answers as it', async () => {
    sts.reset();
    assert.equal(await vscode.commands.executeCommand('awsRoles.assumeRole', 'via-sso'), true);
    const [call] = sts.requests.filter((r) => r.action === 'AssumeRole');
    assert.match(call.callerArn ?? '', /AWSReservedSSO_PowerUser_/);
    const { active } = await inspect();
    await runInNewTerminal('sso-cli', dir, `${AWS_CLI} sts get-caller-identity --endpoint-url ${stsUrl} --output text --query Arn > sso.txt 2> sso.err`);
    assert.equal((await fs.readFile(path.join(dir, 'sso.txt'), 'utf8')).trim(), active?.arn, await fs.readFile(path.join(dir, 'sso.err'), 'utf8').catch(() => ''));
    assert.match(active?.arn ?? '', /^arn:aws:sts::222222222222:assumed-role\/Target\//);
  });

  it('a credential_process profile picked directly: identity from GetCallerIdentity, no countdown for long-term keys', async () => {
    assert.equal(await vscode.commands.executeCommand('awsRoles.assumeRole', 'proc'), true);
    const state = await inspect();
    assert.equal(state.active?.arn, alice.arn);
    assert.match(state.statusBar.text, / proc · alice @ 111111111111$/);
    await runInNewTerminal('proc-env', dir, 'env | grep ^AWS_ > proc-env.txt');
    const env = parseEnvFile(await fs.readFile(path.join(dir, 'proc-env.txt'), 'utf8'));
    assert.equal(env.AWS_ACCESS_KEY_ID, alice.accessKeyId);
    assert.equal(env.AWS_SESSION_TOKEN, undefined);
  });
});
