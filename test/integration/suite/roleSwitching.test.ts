import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LoopbackSts } from '../../support/loopbackSts';
import { startMotoSts, type MotoSts } from '../../support/moto';
import { EXTENSION_ID, inspect, parseEnvFile, runInNewTerminal, waitFor, trackSts, listFiles } from './helpers';

// The harness points AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE at a sandbox; the
// suite writes the fixture there once its STS servers know their ports.
const configPath = process.env.AWS_CONFIG_FILE as string;
const credentialsPath = process.env.AWS_SHARED_CREDENTIALS_FILE as string;
const AWS_CLI = '/usr/bin/aws';

const alice = { arn: 'arn:aws:iam::111111111111:user/alice', accessKeyId: 'AKIAALICEEXAMPLE0001', secretAccessKey: 'alice-secret-key-for-tests-0000000000001' };
const roles = {
  admin: 'arn:aws:iam::222222222222:role/Admin',
  deploy: 'arn:aws:iam::333333333333:role/Deploy',
  locked: 'arn:aws:iam::444444444444:role/Locked',
};

function fixtureConfig(stsUrl: string, moto: MotoSts): string {
  return `[default]
region = us-east-1

[services local-sts]
sts =
  endpoint_url = ${stsUrl}

[profile base]
region = eu-west-1
services = local-sts

[profile dev-admin]
role_arn = ${roles.admin}
source_profile = base
region = eu-west-1
services = local-sts

[profile deploy]
role_arn = ${roles.deploy}
source_profile = dev-admin
region = eu-central-1
services = local-sts

[profile locked]
role_arn = ${roles.locked}
source_profile = base
services = local-sts

[profile broken]
role_arn = arn:aws:iam::222222222222:role/Nowhere
source_profile = does-not-exist

[profile moto-admin]
role_arn = ${moto.role.arn}
source_profile = moto-base
region = us-east-1
endpoint_url = ${moto.url}
`;
}

function fixtureCredentials(moto: MotoSts): string {
  return `[base]
aws_access_key_id = ${alice.accessKeyId}
aws_secret_access_key = ${alice.secretAccessKey}

[moto-base]
aws_access_key_id = ${moto.user.accessKeyId}
aws_secret_access_key = ${moto.user.secretAccessKey}
`;
}


describe('AWS Role Switcher in a real VS Code', function () {
  this.timeout(60000);
  let sts: LoopbackSts;
  let stsUrl: string;
  let moto: MotoSts;
  let workDir: string;

  before(async () => {
    assert.ok(configPath && credentialsPath, 'the harness must set AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE');
    sts = trackSts(new LoopbackSts({
      users: [alice],
      roles: [
        { arn: roles.admin, trustedPrincipals: [alice.arn] },
        { arn: roles.deploy, trustedPrincipals: [roles.admin] },
        { arn: roles.locked, trustedPrincipals: ['arn:aws:iam::999999999999:root'] },
      ],
    }));
    stsUrl = (await sts.start()).url;
    moto = await startMotoSts();
    workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'aws-roles-it-'));
    await fs.mkdir(path.dirname(configPath), { recursive: true });
    await fs.writeFile(configPath, fixtureConfig(stsUrl, moto));
    await fs.writeFile(credentialsPath, fixtureCredentials(moto), { mode: 0o600 });
  });

  after(async () => {
    await vscode.commands.executeCommand('awsRoles.dropCredentials');
    for (const t of vscode.window.terminals) t.dispose();
    await sts?.stop();
    await moto?.stop();
  });

  it('activates and registers its commands', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, 'extension is installed');
    await ext.activate();
    assert.equal(ext.isActive, true);
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['awsRoles.assumeRole', 'awsRoles.dropCredentials', 'awsRoles.showCallerIdentity', 'awsRoles.refreshProfiles', 'awsRoles.filterProfiles']) {
      assert.ok(commands.includes(id), `${id} is registered`);
    }
    const state = await inspect();
    assert.equal(state.active, undefined);
    assert.equal(state.statusBar.state, 'none');
    assert.match(state.statusBar.text, /AWS: no role/);
  });

  it('lists the fixture profiles in the tree, grouped by account', async () => {
    // The fixture was written in before(): the watcher's reload is asynchronous (debounced).
    const tree = await waitFor('the fixture profiles in the tree', async () => {
      const snapshot = (await inspect()).tree;
      return snapshot.some((n) => n.label === 'Account 222222222222') && snapshot.some((n) => n.label === 'Other profiles') ? snapshot : undefined;
    });
    const group = tree.find((n) => n.label === 'Account 222222222222');
    assert.ok(group, `account group present in ${JSON.stringify(tree.map((n) => n.label))}`);
    const devAdmin = group.children?.find((n) => n.label === 'dev-admin');
    assert.ok(devAdmin);
    assert.equal(devAdmin.description, 'Admin', 'the account is its group');
    assert.match(devAdmin.contextValue ?? '', /;assumable;/);
    assert.match(devAdmin.tooltip ?? '', /dev-admin → base/);
    const broken = group.children?.find((n) => n.label === 'broken');
    assert.equal(broken?.icon, 'error');
    assert.match(broken?.tooltip ?? '', /does-not-exist/);
    const other = tree.find((n) => n.label === 'Other profiles');
    assert.deepEqual(other?.children?.map((n) => n.label).sort(), ['base', 'default', 'moto-base']);
    assert.equal(other?.children?.find((n) => n.label === 'base')?.icon, 'key');
  });

  it('follows an edit of the config file', async () => {
    await fs.appendFile(configPath, `\n[profile added-later]\nrole_arn = arn:aws:iam::777777777777:role/Later\nsource_profile = base\n`);
    const group = await waitFor('the new profile in the tree', async () => (await inspect()).tree.find((n) => n.label === 'Account 777777777777'));
    assert.equal(group.children?.[0]?.label, 'added-later');
  });

  it('assumes a role by profile name against the test STS', async () => {
    sts.reset();
    const ok = await vscode.commands.executeCommand('awsRoles.assumeRole', 'dev-admin');
    assert.equal(ok, true);
    const calls = sts.requests.filter((r) => r.action === 'AssumeRole');
    assert.equal(calls.length, 1);
    assert.equal(calls[0].params.RoleArn, roles.admin);
    // Not set by dev-admin, so not sent (as the AWS CLI does); STS defaults to one hour.
    assert.equal(calls[0].params.DurationSeconds, undefined);
    assert.equal(calls[0].accessKeyId, alice.accessKeyId);
    const state = await inspect();
    assert.ok(state.active);
    assert.equal(state.active.arn, `arn:aws:sts::222222222222:assumed-role/Admin/${calls[0].params.RoleSessionName}`);
    assert.match(calls[0].params.RoleSessionName, /-vscode$/);
    assert.equal(state.active.region, 'eu-west-1');
    assert.equal(state.statusBar.state, 'active');
    assert.match(state.statusBar.text, / dev-admin · Admin @ 222222222222 (59:\d\d|1:00:00)$/);
    const devAdmin = state.tree.find((n) => n.label === 'Account 222222222222')?.children?.find((n) => n.label === 'dev-admin');
    assert.equal(devAdmin?.icon, 'pass-filled');
    assert.doesNotMatch(devAdmin?.description ?? '', /active/, 'one active marker: the icon');
    assert.match(devAdmin?.contextValue ?? '', /;active;/);
  });

  it('puts the session into the environment collection', async () => {
    const { terminalEnv, active } = await inspect();
    assert.deepEqual(Object.keys(terminalEnv).sort(), ['AWS_ACCESS_KEY_ID', 'AWS_CREDENTIAL_EXPIRATION', 'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL_STS', 'AWS_REGION', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']);
    // The profile's services section sends STS to the test server: terminals get it too.
    assert.equal(terminalEnv.AWS_ENDPOINT_URL_STS, stsUrl);
    assert.equal(terminalEnv.AWS_ACCESS_KEY_ID, active?.accessKeyId);
    assert.match(terminalEnv.AWS_ACCESS_KEY_ID, /^ASIA/);
    assert.equal(terminalEnv.AWS_REGION, 'eu-west-1');
    assert.equal(new Date(terminalEnv.AWS_CREDENTIAL_EXPIRATION).getTime(), Math.floor((active?.expiresAt ?? 0) / 1000) * 1000);
  });

  it('gives a NEW terminal the credentials, and the real AWS CLI there answers as the role', async () => {
    const { active } = await inspect();
    const envFile = path.join(workDir, 'env.txt');
    await runInNewTerminal(
      'cli-check',
      workDir,
      `env | grep ^AWS_ > env.txt; ${AWS_CLI} sts get-caller-identity --endpoint-url ${stsUrl} --output json > id.json 2> id.err; echo $? > id.rc; ` +
        `env -u AWS_SESSION_TOKEN ${AWS_CLI} sts get-caller-identity --endpoint-url ${stsUrl} --output json > notoken.json 2> notoken.err; echo $? > notoken.rc`,
    );
    const env = parseEnvFile(await fs.readFile(envFile, 'utf8'));
    assert.equal(env.AWS_ACCESS_KEY_ID, active?.accessKeyId);
    assert.ok(env.AWS_SECRET_ACCESS_KEY && env.AWS_SESSION_TOKEN, 'secret and token are set');
    assert.equal(env.AWS_DEFAULT_REGION, 'eu-west-1');
    assert.equal((await fs.readFile(path.join(workDir, 'id.rc'), 'utf8')).trim(), '0', await fs.readFile(path.join(workDir, 'id.err'), 'utf8'));
    const identity = JSON.parse(await fs.readFile(path.join(workDir, 'id.json'), 'utf8')) as { Arn: string; Account: string };
    assert.equal(identity.Arn, active?.arn);
    assert.equal(identity.Account, '222222222222');
    assert.notEqual((await fs.readFile(path.join(workDir, 'notoken.rc'), 'utf8')).trim(), '0');
    assert.match(await fs.readFile(path.join(workDir, 'notoken.err'), 'utf8'), /InvalidClientTokenId|security token/i);
  });

  it('keeps the previous session exactly when a switch fails', async () => {
    const before = await inspect();
    sts.reset();
    const ok = await vscode.commands.executeCommand('awsRoles.assumeRole', 'locked');
    assert.equal(ok, false);
    assert.equal(sts.requests.filter((r) => r.action === 'AssumeRole')[0]?.errorCode, 'AccessDenied');
    const after = await inspect();
    assert.deepEqual(after.active, before.active);
    assert.deepEqual(after.terminalEnv, before.terminalEnv);
    assert.equal(after.statusBar.state, before.statusBar.state);
    assert.match(after.statusBar.text, /^\$\(shield\) dev-admin · Admin @ 222222222222/);
    const marked = after.tree.flatMap((n) => n.children ?? [n]).filter((n) => n.icon === 'pass-filled').map((n) => n.label);
    assert.deepEqual(marked, ['dev-admin']);
  });

  it('refuses a profile whose source profile is missing, naming both', async () => {
    const before = await inspect();
    const ok = await vscode.commands.executeCommand('awsRoles.assumeRole', 'broken');
    assert.equal(ok, false);
    assert.deepEqual((await inspect()).active, before.active);
  });

  it('assumes a chained role through its source role', async () => {
    sts.reset();
    assert.equal(await vscode.commands.executeCommand('awsRoles.assumeRole', 'deploy'), true);
    const calls = sts.requests.filter((r) => r.action === 'AssumeRole');
    assert.deepEqual(calls.map((c) => c.params.RoleArn), [roles.admin, roles.deploy]);
    assert.equal(calls[0].accessKeyId, alice.accessKeyId);
    assert.match(calls[1].accessKeyId ?? '', /^ASIA/);
    const { active } = await inspect();
    assert.match(active?.arn ?? '', /^arn:aws:sts::333333333333:assumed-role\/Deploy\//);
    assert.equal(active?.region, 'eu-central-1');
  });

  it('assumes a role at moto, an STS implementation nobody here wrote', async () => {
    assert.equal(await vscode.commands.executeCommand('awsRoles.assumeRole', 'moto-admin'), true);
    const { active } = await inspect();
    assert.match(active?.arn ?? '', new RegExp(`^arn:aws:sts::${moto.accountId}:assumed-role/MotoAdmin/`));
    // The session's keys, as a new terminal gets them, are accepted by moto's own SigV4 check.
    await runInNewTerminal('moto-cli', workDir, `${AWS_CLI} sts get-caller-identity --endpoint-url ${moto.url} --output text --query Arn > moto.txt 2> moto.err`);
    assert.equal((await fs.readFile(path.join(workDir, 'moto.txt'), 'utf8')).trim(), active?.arn, await fs.readFile(path.join(workDir, 'moto.err'), 'utf8'));
  });

  it('never writes a secret to its log, its state or the settings', async () => {
    // The secrets of this run: the source keys, and the session keys a terminal received.
    const terminalEnv = parseEnvFile(await fs.readFile(path.join(workDir, 'env.txt'), 'utf8'));
    const secrets = [alice.secretAccessKey, moto.user.secretAccessKey, terminalEnv.AWS_SECRET_ACCESS_KEY, terminalEnv.AWS_SESSION_TOKEN];
    assert.ok(secrets.every((v) => v && v.length > 20), 'the secrets to look for are known');
    const { storage } = await inspect();
    const userDir = path.dirname(path.dirname(storage.globalStorage));
    // The extension host's whole log folder (ours and VS Code's), global state and settings.
    const roots = [path.dirname(storage.logDir), path.dirname(storage.globalStorage), path.join(userDir, 'settings.json')];
    if (storage.workspaceStorage) roots.push(path.dirname(storage.workspaceStorage));
    const files = (await Promise.all(roots.map(listFiles))).flat();
    const ourLog = (await Promise.all(files.filter((f) => f.startsWith(storage.logDir)).map((f) => fs.readFile(f, 'utf8')))).join('\n');
    // Not vacuous: our log has the switches and the failures of this run.
    assert.match(ourLog, /Assuming profile "dev-admin"/);
    assert.match(ourLog, /Access denied assuming arn:aws:iam::444444444444:role\/Locked/);
    for (const file of files) {
      const content = await fs.readFile(file).catch(() => Buffer.alloc(0));
      for (const secret of secrets) assert.ok(!content.includes(secret), `a secret was found in ${file}`);
    }
  });

  it('drops the credentials: status bar, collection, tree and new terminals', async () => {
    await vscode.commands.executeCommand('awsRoles.dropCredentials');
    const state = await inspect();
    assert.equal(state.active, undefined);
    assert.deepEqual(state.terminalEnv, {});
    assert.equal(state.statusBar.state, 'none');
    assert.match(state.statusBar.text, /AWS: no role/);
    assert.equal(state.tree.flatMap((n) => n.children ?? [n]).filter((n) => n.icon === 'pass-filled').length, 0);
    await runInNewTerminal('after-drop', workDir, 'env | grep ^AWS_ > dropped.txt || true');
    const env = parseEnvFile(await fs.readFile(path.join(workDir, 'dropped.txt'), 'utf8'));
    assert.equal(env.AWS_ACCESS_KEY_ID, undefined);
    assert.equal(env.AWS_SESSION_TOKEN, undefined);
  });
});
