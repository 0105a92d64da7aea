import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { cleanEnv, findCliV1 } from '../../support/awsCliV1';
import { LoopbackSts } from '../../support/loopbackSts';
import { assumeOrExplain, EXTENSION_ID, inspect, parseEnvFile, runInNewTerminal, waitFor, trackSts } from './helpers';

// Credentials that never go stale, in a real VS Code: background refresh before expiry (the test
// STS issues 20-second sessions so it happens in seconds), endpoint mode with one long-lived
// terminal running the real AWS CLI, and roles the AWS CLI v1 already cached.
const AWS_CLI = '/usr/bin/aws';
const alice = { arn: 'arn:aws:iam::111111111111:user/alice', accessKeyId: 'AKIAREFRESHITALICE01', secretAccessKey: 'alice-it-refresh-secret-000000000000001' };
const roles = { dev: 'arn:aws:iam::222222222222:role/Dev', ops: 'arn:aws:iam::333333333333:role/Ops', cached: 'arn:aws:iam::444444444444:role/Cached' };

describe('Credentials that never go stale, in a real VS Code', function () {
  this.timeout(90000);
  let sts: LoopbackSts;
  let stsUrl: string;
  let dir: string;
  const settings = () => vscode.workspace.getConfiguration('awsRoles');
  const assumeRoleCalls = () => sts.requests.filter((r) => r.action === 'AssumeRole' && r.status === 200);

  before(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
    sts = trackSts(new LoopbackSts({ users: [alice], roles: Object.values(roles).map((arn) => ({ arn, trustedPrincipals: [alice.arn] })) }));
    stsUrl = (await sts.start()).url;
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'aws-roles-refresh-'));
    const profile = (name: string, arn: string, extra = '') => `[profile ${name}]\nrole_arn = ${arn}\nsource_profile = base\nregion = eu-west-1\nservices = local\n${extra}\n`;
    await fs.writeFile(
      path.join(dir, 'config'),
      `[services local]\nsts =\n  endpoint_url = ${stsUrl}\n\n[profile base]\nregion = eu-west-1\nservices = local\n\n${profile('dev', roles.dev)}${profile('ops', roles.ops)}${profile('cached', roles.cached, 'role_session_name = from-the-cli')}`,
    );
    await fs.writeFile(path.join(dir, 'credentials'), `[base]\naws_access_key_id = ${alice.accessKeyId}\naws_secret_access_key = ${alice.secretAccessKey}\n`, { mode: 0o600 });
    const global = vscode.ConfigurationTarget.Global;
    await settings().update('configFile', path.join(dir, 'config'), global);
    await settings().update('credentialsFile', path.join(dir, 'credentials'), global);
    await settings().update('refreshMinutesBefore', 1, global);
    await waitFor('the refresh fixture in the tree', async () => (await inspect()).tree.some((g) => (g.children ?? [g]).some((p) => p.label === 'dev')));
  });

  after(async () => {
    sts.setMaxIssuedSeconds(undefined);
    await vscode.commands.executeCommand('awsRoles.dropCredentials');
    for (const t of vscode.window.terminals) t.dispose();
    const global = vscode.ConfigurationTarget.Global;
    for (const key of ['configFile', 'credentialsFile', 'refreshMinutesBefore', 'terminalCredentials']) await settings().update(key, undefined, global);
    await sts.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('renews a session before it expires, with no prompt, and new terminals get the new keys', async () => {
    sts.reset();
    sts.setMaxIssuedSeconds(20);
    await assumeOrExplain('dev');
    const first = await inspect();
    assert.ok(first.active && first.active.expiresAt! - Date.now() <= 20_000, 'a 20-second session');
    // Due halfway through (10 s): the lead of one minute is longer than the session.
    const renewed = await waitFor('the background refresh', async () => {
      const s = await inspect();
      return s.active && s.active.accessKeyId !== first.active?.accessKeyId ? s : undefined;
    }, 25_000);
    assert.equal(renewed.active?.profileName, 'dev');
    assert.equal(assumeRoleCalls().length, 2, 'one switch, one refresh');
    assert.equal(renewed.terminalEnv.AWS_ACCESS_KEY_ID, renewed.active?.accessKeyId);
    assert.notEqual(renewed.statusBar.state, 'expired');
    await runInNewTerminal('after-refresh', dir, 'env | grep ^AWS_ > refreshed.txt');
    const env = parseEnvFile(await fs.readFile(path.join(dir, 'refreshed.txt'), 'utf8'));
    // Another refresh may have happened meanwhile; the terminal has the keys of the current session or the one just before.
    const now = (await inspect()).active?.accessKeyId;
    assert.ok(env.AWS_ACCESS_KEY_ID === now || env.AWS_ACCESS_KEY_ID === renewed.active?.accessKeyId, `terminal has renewed keys, not ${first.active?.accessKeyId}`);
    assert.notEqual(env.AWS_ACCESS_KEY_ID, first.active?.accessKeyId);
  });

  it('AWS: Refresh Credentials renews now', async () => {
    sts.setMaxIssuedSeconds(undefined);
    const before = (await inspect()).active;
    assert.equal(await vscode.commands.executeCommand('awsRoles.refreshCredentials'), true);
    const after = (await inspect()).active;
    assert.notEqual(after?.accessKeyId, before?.accessKeyId);
    assert.ok((after?.expiresAt ?? 0) - Date.now() > 50 * 60_000, 'a full hour again');
  });

  it('endpoint mode: one long-lived terminal keeps working across a refresh and a switch, and the endpoint wants its token', async () => {
    // Runs alone too (MOCHA_GREP=endpoint): the tests above leave dev active.
    if (!(await inspect()).active) await assumeOrExplain('dev');
    await settings().update('terminalCredentials', 'endpoint', vscode.ConfigurationTarget.Global);
    const state = await waitFor('the endpoint variables', async () => {
      const s = await inspect();
      return s.terminalEnv.AWS_CONTAINER_CREDENTIALS_FULL_URI ? s : undefined;
    });
    assert.equal(state.terminalEnv.AWS_ACCESS_KEY_ID, undefined, 'no keys in the environment');
    assert.match(state.terminalEnv.AWS_CONTAINER_CREDENTIALS_FULL_URI, /^http:\/\/127\.0\.0\.1:\d+\//);
    // The one terminal of this test; every later command goes to it.
    const terminal = await runInNewTerminal('long-lived', dir, `${AWS_CLI} sts get-caller-identity --endpoint-url ${stsUrl} --output text --query Arn > arn1.txt 2> arn1.err`);
    const read = async (n: number) => (await fs.readFile(path.join(dir, `arn${n}.txt`), 'utf8').catch(() => '')).trim();
    assert.match(await read(1), /^arn:aws:sts::222222222222:assumed-role\/Dev\//, await fs.readFile(path.join(dir, 'arn1.err'), 'utf8').catch(() => ''));
    const run = async (n: number) => {
      const done = path.join(dir, `step${n}.done`);
      terminal.sendText(`${AWS_CLI} sts get-caller-identity --endpoint-url ${stsUrl} --output text --query Arn > arn${n}.txt 2> arn${n}.err; echo ok > ${done}`);
      await waitFor(`step ${n} in the long-lived terminal`, async () => (await fs.readFile(done, 'utf8').catch(() => '')).includes('ok'), 30_000);
      return read(n);
    };
    // After a refresh: same role, and the request was signed with the renewed key.
    assert.equal(await vscode.commands.executeCommand('awsRoles.refreshCredentials'), true);
    const renewedKey = (await inspect()).active?.accessKeyId;
    sts.reset();
    assert.match(await run(2), /assumed-role\/Dev\//);
    assert.equal(sts.requests.find((r) => r.action === 'GetCallerIdentity')?.accessKeyId, renewedKey);
    // After a switch: the same terminal is now the new role.
    assert.equal(await vscode.commands.executeCommand('awsRoles.assumeRole', 'ops'), true);
    assert.match(await run(3), /^arn:aws:sts::333333333333:assumed-role\/Ops\//);
    // Without the token, the endpoint says no.
    const status = await new Promise<number>((resolve, reject) => http.get(state.terminalEnv.AWS_CONTAINER_CREDENTIALS_FULL_URI, (res) => resolve(res.statusCode ?? 0)).on('error', reject));
    assert.equal(status, 401);
    terminal.dispose();
    await settings().update('terminalCredentials', undefined, vscode.ConfigurationTarget.Global);
    await waitFor('the keys back in the environment', async () => ((await inspect()).terminalEnv.AWS_ACCESS_KEY_ID ? true : undefined));
  });

  it('endpoint mode toggled endpoint, environment, endpoint, environment in quick succession leaves no server listening', async () => {
    if (!(await inspect()).active) await assumeOrExplain('dev');
    // This test runs in the extension host, so the extension's servers are this process's.
    const servers = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;
    const before = servers();
    const global = vscode.ConfigurationTarget.Global;
    await Promise.all(['endpoint', undefined, 'endpoint', undefined].map((mode) => settings().update('terminalCredentials', mode, global)));
    await waitFor('the keys back in the environment', async () => {
      const s = await inspect();
      return s.terminalEnv.AWS_ACCESS_KEY_ID && !s.terminalEnv.AWS_CONTAINER_CREDENTIALS_FULL_URI ? true : undefined;
    });
    await waitFor('no endpoint left listening', async () => (servers() === before ? true : undefined), 5_000).catch(() => undefined);
    assert.equal(servers(), before, 'no credential endpoint outlives endpoint mode');
  });

  it('endpoint mode with a [default] profile that has keys: terminals get the keys (the CLI would use [default] before any endpoint)', async () => {
    const credentialsFile = path.join(dir, 'credentials');
    const original = await fs.readFile(credentialsFile, 'utf8');
    await fs.writeFile(credentialsFile, `${original}\n[default]\naws_access_key_id = ${alice.accessKeyId}\naws_secret_access_key = ${alice.secretAccessKey}\n`);
    try {
      await waitFor('the [default] profile in the tree', async () => (await inspect()).tree.some((g) => (g.children ?? [g]).some((p) => p.label === 'default')));
      await settings().update('terminalCredentials', 'endpoint', vscode.ConfigurationTarget.Global);
      await assumeOrExplain('dev');
      const state = await waitFor('the session in the environment', async () => {
        const s = await inspect();
        return s.active?.profileName === 'dev' && s.terminalEnv.AWS_ACCESS_KEY_ID === s.active.accessKeyId ? s : undefined;
      });
      assert.equal(state.terminalEnv.AWS_CONTAINER_CREDENTIALS_FULL_URI, undefined, 'no endpoint the CLI would never reach');
    } finally {
      await settings().update('terminalCredentials', undefined, vscode.ConfigurationTarget.Global);
      await fs.writeFile(credentialsFile, original);
    }
  });

  it('uses a role the real AWS CLI already cached, without calling STS', async () => {
    const cli = findCliV1();
    const out = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        cli.file,
        [...cli.args, 'sts', 'get-caller-identity', '--profile', 'cached', '--output', 'json'],
        { encoding: 'utf8', timeout: 30000, env: { ...cleanEnv(), HOME: os.homedir(), AWS_CONFIG_FILE: path.join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'credentials'), AWS_ENDPOINT_URL_STS: stsUrl, AWS_EC2_METADATA_DISABLED: 'true' } },
        (error, stdout, stderr) => resolve({ code: error ? 1 : 0, stdout, stderr }),
      );
    });
    assert.equal(out.code, 0, out.stderr);
    const cacheDir = path.join(os.homedir(), '.aws', 'cli', 'cache');
    assert.equal((await fs.readdir(cacheDir)).filter((f) => f.endsWith('.json')).length, 1, 'the CLI wrote its cache');
    sts.reset();
    assert.equal(await vscode.commands.executeCommand('awsRoles.assumeRole', 'cached'), true);
    assert.deepEqual(sts.requests.filter((r) => r.action === 'AssumeRole'), [], 'no AssumeRole: the CLI cache was used');
    const { active } = await inspect();
    assert.equal(active?.arn, (JSON.parse(out.stdout) as { Arn: string }).Arn);
    await fs.rm(cacheDir, { recursive: true, force: true });
  });
});
