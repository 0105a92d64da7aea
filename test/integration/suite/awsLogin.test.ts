import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { FakeSigninService, loginCacheFileName, readLoginCache, writeLoginCache } from '../../support/fakeSigninService';
import { LoopbackSts } from '../../support/loopbackSts';
import { EXTENSION_ID, inspect, parseEnvFile, runInNewTerminal, trackSts, waitFor } from './helpers';

// `aws login` (login_session) profiles in a real VS Code: a cached login is used as it is, an
// expired one is refreshed through the (loopback) sign-in service, and without one the Sign In
// offer runs `aws login --profile NAME` in a terminal, here a stand-in for the AWS CLI first on
// PATH that writes the cache file as the real one would.
const LOGIN = 'arn:aws:sts::111111111111:assumed-role/Console/alice';
const CONSOLE_ROLE = 'arn:aws:iam::111111111111:role/Console';
const TARGET = 'arn:aws:iam::222222222222:role/Target';
const OLD_CLI = 'aws-cli/2.9.19 Python/3.11.2 Linux/6.1.0 source/x86_64.debian.12 prompt/off';

interface Found {
  code: string;
  line: number;
  message: string;
}

describe('aws login profiles in a real VS Code', function () {
  this.timeout(90000);
  let sts: LoopbackSts;
  let signin: FakeSigninService;
  let dir: string;
  let bin: string;
  let cacheDir: string;
  let cacheFile: string;
  let configFile: string;
  const settings = () => vscode.workspace.getConfiguration('awsRoles');
  // The suite runs in the extension's own host process: this is the environment the extension (and the AWS SDK in it) reads.
  const saved = { PATH: process.env.PATH, AWS_LOGIN_CACHE_DIRECTORY: process.env.AWS_LOGIN_CACHE_DIRECTORY, AWS_ENDPOINT_URL_SIGNIN: process.env.AWS_ENDPOINT_URL_SIGNIN };

  before(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
    sts = trackSts(new LoopbackSts({ users: [], roles: [{ arn: TARGET, trustedPrincipals: [CONSOLE_ROLE] }] }));
    const stsUrl = (await sts.start()).url;
    signin = trackSts(new FakeSigninService(sts, () => CONSOLE_ROLE));
    process.env.AWS_ENDPOINT_URL_SIGNIN = await signin.start();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'aws-roles-login-'));
    cacheDir = path.join(dir, 'login-cache');
    cacheFile = path.join(cacheDir, loginCacheFileName(LOGIN));
    process.env.AWS_LOGIN_CACHE_DIRECTORY = cacheDir;
    // The stand-in for the AWS CLI: says it is 2.9.19 when asked, and "signs in" by copying the
    // login the test prepared to where `aws login` writes it (the terminal does not get this process's environment).
    bin = path.join(dir, 'bin');
    await fs.mkdir(bin);
    await fs.writeFile(
      path.join(bin, 'aws'),
      `#!/bin/sh
if [ "$1" = "--version" ]; then echo ${JSON.stringify(OLD_CLI)}; exit 0; fi
for a in "$@"; do printf '%s\\n' "$a"; done > ${JSON.stringify(path.join(dir, 'aws.argv'))}
mkdir -p ${JSON.stringify(cacheDir)}
cp ${JSON.stringify(path.join(dir, 'prepared.json'))} ${JSON.stringify(cacheFile)} || exit 3
exit 0
`,
    );
    await fs.chmod(path.join(bin, 'aws'), 0o755);
    process.env.PATH = `${bin}${path.delimiter}${saved.PATH ?? ''}`;
    configFile = path.join(dir, 'config');
    await fs.writeFile(
      configFile,
      `[services local]
sts =
  endpoint_url = ${stsUrl}

[profile console]
login_session = ${LOGIN}
region = eu-west-1
services = local

[profile via-console]
role_arn = ${TARGET}
source_profile = console
region = eu-west-1
services = local
`,
    );
    await settings().update('configFile', configFile, vscode.ConfigurationTarget.Global);
    await settings().update('credentialsFile', path.join(dir, 'credentials'), vscode.ConfigurationTarget.Global);
    await waitFor('the login profile in the tree', async () => (await inspect()).tree.some((g) => (g.children ?? [g]).some((p) => p.label === 'console')));
  });

  after(async () => {
    await vscode.commands.executeCommand('awsRoles.dropCredentials');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await settings().update('configFile', undefined, vscode.ConfigurationTarget.Global);
    await settings().update('credentialsFile', undefined, vscode.ConfigurationTarget.Global);
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await sts?.stop();
    await signin?.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    await vscode.commands.executeCommand('awsRoles.dropCredentials');
    await fs.rm(cacheFile, { force: true });
    await fs.rm(path.join(dir, 'aws.argv'), { force: true });
    sts.reset();
    signin.requests.length = 0;
  });

  it('shows the profile with its kind, account and identity', async () => {
    const { tree } = await inspect();
    const row = tree.find((g) => g.label === 'Account 111111111111')?.children?.find((p) => p.label === 'console');
    assert.equal(row?.icon, 'sign-in');
    assert.equal(row?.description, 'Console', 'the account is its group');
    assert.match(row?.contextValue ?? '', /^profile;login;assumable;/);
  });

  it('a valid cached login switches at once, without a prompt: status bar with its countdown, terminal environment', async () => {
    const cache = signin.signIn(LOGIN, { expiresAt: new Date(Date.now() + 14 * 60_000) });
    await writeLoginCache(cacheDir, LOGIN, cache);
    assert.equal(await vscode.commands.executeCommand('awsRoles.assumeRole', 'console'), true);
    const state = await inspect();
    assert.equal(state.active?.arn, LOGIN);
    assert.equal(state.active?.accessKeyId, cache.accessToken.accessKeyId);
    assert.match(state.statusBar.text, / console · Console @ 111111111111 1[34]:\d\d$/);
    assert.equal(state.terminalEnv.AWS_ACCESS_KEY_ID, cache.accessToken.accessKeyId);
    assert.equal(state.terminalEnv.AWS_SESSION_TOKEN, '<set>');
    assert.deepEqual(signin.requests, [], 'a valid login needs no refresh');
    await runInNewTerminal('login-env', dir, 'env | grep ^AWS_ > login-env.txt');
    assert.equal(parseEnvFile(await fs.readFile(path.join(dir, 'login-env.txt'), 'utf8')).AWS_ACCESS_KEY_ID, cache.accessToken.accessKeyId);
  });

  it('an expired login is refreshed through the sign-in service, and a role sourced from it is assumed with the new credentials', async () => {
    await writeLoginCache(cacheDir, LOGIN, signin.signIn(LOGIN, { expiresAt: new Date(Date.now() - 60_000) }));
    assert.equal(await vscode.commands.executeCommand('awsRoles.assumeRole', 'via-console'), true);
    assert.deepEqual(signin.requests.map((r) => r.status), [200]);
    const refreshed = await readLoginCache(cacheDir, LOGIN);
    const call = sts.requests.find((r) => r.action === 'AssumeRole');
    assert.equal(call?.accessKeyId, refreshed.accessToken.accessKeyId);
    assert.match((await inspect()).active?.arn ?? '', /^arn:aws:sts::222222222222:assumed-role\/Target\//);
  });

  it('without a cached login: refuses, changes nothing, and says to run aws login', async () => {
    const before = await inspect();
    assert.equal(await vscode.commands.executeCommand('awsRoles.assumeRole', 'console'), false);
    const after = await inspect();
    assert.deepEqual(after.active, before.active);
    assert.match(after.lastFailure ?? '', /aws login of profile "console" is missing/);
    assert.match(after.lastFailure ?? '', /aws login --profile console/);
    assert.deepEqual(sts.requests, []);
  });

  it('Sign In runs aws login --profile NAME in a terminal, then the switch succeeds', async () => {
    await fs.writeFile(path.join(dir, 'prepared.json'), JSON.stringify(signin.signIn(LOGIN)));
    assert.equal(await vscode.commands.executeCommand('awsRoles.test.assumeWithSignInAnswer', 'via-console', true), true);
    assert.equal(await fs.readFile(path.join(dir, 'aws.argv'), 'utf8'), 'login\n--profile\nconsole\n');
    const state = await inspect();
    assert.equal(state.active?.profileName, 'via-console');
    assert.match(state.active?.arn ?? '', /^arn:aws:sts::222222222222:assumed-role\/Target\//);
  });

  it('declining Sign In runs nothing', async () => {
    assert.equal(await vscode.commands.executeCommand('awsRoles.test.assumeWithSignInAnswer', 'console', false), false);
    await assert.rejects(fs.stat(path.join(dir, 'aws.argv')));
    assert.equal((await inspect()).active, undefined);
  });

  it('a sign-in that fails (exit code 3) does not switch', async () => {
    await fs.rm(path.join(dir, 'prepared.json'), { force: true });
    assert.equal(await vscode.commands.executeCommand('awsRoles.test.assumeWithSignInAnswer', 'console', true), false);
    assert.equal(await fs.readFile(path.join(dir, 'aws.argv'), 'utf8'), 'login\n--profile\nconsole\n');
    assert.equal((await inspect()).active, undefined);
  });

  it('explains login_session in the open config file when the AWS CLI on PATH is older than 2.32', async () => {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(configFile));
    await vscode.window.showTextDocument(doc);
    const found = await waitFor('the aws login diagnostic', () => {
      const list: Found[] = vscode.languages
        .getDiagnostics(doc.uri)
        .filter((d) => d.source === 'AWS Role Switcher' && d.code === 'awsCliTooOldForLogin')
        .map((d) => ({ code: String(d.code), line: d.range.start.line, message: d.message }));
      return list.length ? list : undefined;
    });
    assert.deepEqual(found.map((d) => d.line), [doc.getText().split('\n').findIndex((l) => l.startsWith('login_session'))]);
    assert.match(found[0].message, new RegExp(`\\(${path.join(bin, 'aws').replace(/[/.]/g, '\\$&')}\\) is version 2\\.9\\.19`));
    assert.match(found[0].message, /2\.32\.0 or later/);
  });
});
