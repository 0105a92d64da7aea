import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { FakeFederation } from '../../support/fakeFederation';
import { LoopbackSts } from '../../support/loopbackSts';
import { EXTENSION_ID, inspect, waitFor, trackSts } from './helpers';

// The role where it is needed, in a real VS Code: the clipboard, a shell task, a Node program
// under the debugger, the console sign-in, the folder's own profile, and adding a profile.
const AWS_CLI = '/usr/bin/aws';
const alice = { arn: 'arn:aws:iam::111111111111:user/alice', accessKeyId: 'AKIAEVERYWHEREALICE1', secretAccessKey: 'alice-it-everywhere-secret-00000000001' };
const roles = { dev: 'arn:aws:iam::222222222222:role/Dev', team: 'arn:aws:iam::333333333333:role/Team' };

describe('The role everywhere it is needed, in a real VS Code', function () {
  this.timeout(90000);
  let sts: LoopbackSts;
  let stsUrl: string;
  let federation: FakeFederation;
  let dir: string;
  let configText: string;
  const settings = () => vscode.workspace.getConfiguration('awsRoles');
  const global = vscode.ConfigurationTarget.Global;

  before(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
    sts = trackSts(new LoopbackSts({ users: [alice], roles: Object.values(roles).map((arn) => ({ arn, trustedPrincipals: [alice.arn] })) }));
    stsUrl = (await sts.start()).url;
    federation = new FakeFederation(sts);
    await federation.start();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'aws-roles-everywhere-'));
    configText = `# kept by hand\n[services local]\nsts =\n  endpoint_url = ${stsUrl}\n\n[profile base]\nregion = eu-west-1\nservices = local\n\n[profile dev]\nrole_arn = ${roles.dev}\nsource_profile = base\nregion = eu-west-1\nservices = local\n\n[profile team]\nrole_arn = ${roles.team}\nsource_profile = base\nregion = eu-central-1\nservices = local\n`;
    await fs.writeFile(path.join(dir, 'config'), configText);
    await fs.writeFile(path.join(dir, 'credentials'), `[base]\naws_access_key_id = ${alice.accessKeyId}\naws_secret_access_key = ${alice.secretAccessKey}\n`, { mode: 0o600 });
    await settings().update('configFile', path.join(dir, 'config'), global);
    await settings().update('credentialsFile', path.join(dir, 'credentials'), global);
    await settings().update('console.federationEndpoint', federation.url, global);
    await waitFor('the fixture in the tree', async () => (await inspect()).tree.some((g) => (g.children ?? [g]).some((p) => p.label === 'dev')));
    assert.equal(await vscode.commands.executeCommand('awsRoles.assumeRole', 'dev'), true);
  });

  after(async () => {
    await vscode.commands.executeCommand('awsRoles.dropCredentials');
    for (const key of ['configFile', 'credentialsFile', 'console.federationEndpoint', 'clipboardClearSeconds', 'autoAssumeWorkspaceProfile']) await settings().update(key, undefined, global);
    await settings().update('workspaceProfile', undefined, vscode.ConfigurationTarget.Workspace);
    await sts.stop();
    await federation.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('Copy Credentials puts export lines on the clipboard, and clears them again', async () => {
    await settings().update('clipboardClearSeconds', 2, global);
    const { active } = await inspect();
    assert.equal(await vscode.commands.executeCommand('awsRoles.copyCredentials', 'bash'), true);
    const text = await vscode.env.clipboard.readText();
    assert.match(text, new RegExp(`^export AWS_ACCESS_KEY_ID=${active?.accessKeyId}\\nexport AWS_SECRET_ACCESS_KEY=\\S+\\nexport AWS_SESSION_TOKEN=\\S+\\nexport AWS_CREDENTIAL_EXPIRATION=\\S+\\+00:00\\n$`));
    await waitFor('the clipboard to be cleared', async () => ((await vscode.env.clipboard.readText()) === '' ? true : undefined), 10_000);
    // Something the user copied since is left alone.
    assert.equal(await vscode.commands.executeCommand('awsRoles.copyCredentials', 'process'), true);
    await vscode.env.clipboard.writeText('mine');
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(await vscode.env.clipboard.readText(), 'mine');
  });

  it('copied credentials leave the clipboard when their session is dropped or replaced, and only then', async () => {
    await settings().update('clipboardClearSeconds', 0, global);
    assert.equal(await vscode.commands.executeCommand('awsRoles.copyCredentials', 'bash'), true);
    assert.match(await vscode.env.clipboard.readText(), /^export AWS_ACCESS_KEY_ID=/);
    // A switch to another profile is a reason to clear.
    assert.equal(await vscode.commands.executeCommand('awsRoles.assumeRole', 'team'), true);
    await waitFor('the clipboard to be cleared on the switch', async () => ((await vscode.env.clipboard.readText()) === '' ? true : undefined), 5_000);
    assert.equal(await vscode.commands.executeCommand('awsRoles.copyCredentials', 'dotenv'), true);
    await vscode.commands.executeCommand('awsRoles.dropCredentials');
    await waitFor('the clipboard to be cleared on drop', async () => ((await vscode.env.clipboard.readText()) === '' ? true : undefined), 5_000);
    // What the user copied after us is theirs.
    assert.equal(await vscode.commands.executeCommand('awsRoles.assumeRole', 'dev'), true);
    assert.equal(await vscode.commands.executeCommand('awsRoles.copyCredentials', 'bash'), true);
    await vscode.env.clipboard.writeText('mine');
    await vscode.commands.executeCommand('awsRoles.dropCredentials');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await vscode.env.clipboard.readText(), 'mine');
    assert.equal(await vscode.commands.executeCommand('awsRoles.assumeRole', 'dev'), true);
  });

  it('AWS: Sign Out forgets the session, its stored copy and its terminal variables, with one message', async () => {
    // Earlier suites may have left MFA sessions (shared by the whole run): start from none.
    await vscode.commands.executeCommand('awsRoles.signOut');
    assert.equal(await vscode.commands.executeCommand('awsRoles.assumeRole', 'dev'), true);
    await waitFor('the session to be stored', async () => ((await inspect()).storedSessionKeyId ? true : undefined), 5_000);
    const result = (await vscode.commands.executeCommand('awsRoles.signOut')) as { session?: string; mfaSessions: number; identityCenter: number };
    assert.deepEqual(result, { session: 'dev', mfaSessions: 0, identityCenter: 0 });
    const after = await waitFor('the stored session to be gone', async () => {
      const state = await inspect();
      return state.storedSessionKeyId === undefined ? state : undefined;
    }, 5_000);
    assert.equal(after.active, undefined);
    assert.equal(after.terminalEnv.AWS_ACCESS_KEY_ID, undefined);
    assert.equal(after.statusBar.state, 'none');
    assert.equal(await vscode.commands.executeCommand('awsRoles.assumeRole', 'dev'), true);
  });

  it('a shell task gets the session (get-caller-identity written by the task)', async () => {
    const out = path.join(dir, 'task.txt');
    const task = new vscode.Task({ type: 'shell', name: 'whoami' }, vscode.TaskScope.Global, 'whoami', 'awsRoles-test', new vscode.ShellExecution(`${AWS_CLI} sts get-caller-identity --endpoint-url ${stsUrl} --output text --query Arn > ${out} 2>&1`));
    const ended = new Promise<number | undefined>((resolve) => {
      const l = vscode.tasks.onDidEndTaskProcess((e) => {
        if (e.execution.task.name !== 'whoami') return;
        l.dispose();
        resolve(e.exitCode);
      });
    });
    await vscode.tasks.executeTask(task);
    assert.equal(await ended, 0, await fs.readFile(out, 'utf8').catch(() => ''));
    assert.equal((await fs.readFile(out, 'utf8')).trim(), (await inspect()).active?.arn);
  });

  it('a Node program under the debugger sees the session, and launch.json variables win', async () => {
    const program = path.join(dir, 'whoami.js');
    const out = path.join(dir, 'debug-env.json');
    await fs.writeFile(program, `require('fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify({ key: process.env.AWS_ACCESS_KEY_ID, token: Boolean(process.env.AWS_SESSION_TOKEN), region: process.env.AWS_REGION, mine: process.env.MINE, sts: process.env.AWS_ENDPOINT_URL_STS }));`);
    const started = await vscode.debug.startDebugging(undefined, { type: 'node', request: 'launch', name: 'whoami', program, env: { AWS_REGION: 'ap-south-1', MINE: 'yes' }, console: 'internalConsole' });
    assert.equal(started, true);
    const seen = await waitFor('the debugged program', async () => JSON.parse(await fs.readFile(out, 'utf8').catch(() => 'null')) as { key: string; token: boolean; region: string; mine: string; sts?: string } | null ?? undefined, 30_000);
    const state = await inspect();
    assert.equal(seen.key, state.active?.accessKeyId);
    assert.equal(seen.token, true);
    assert.equal(seen.region, 'ap-south-1', 'launch.json wins');
    assert.equal(seen.mine, 'yes');
    assert.equal(seen.sts, stsUrl, "the profile's STS endpoint (its services section), as terminals get it");
    assert.ok(state.debugNotes?.some((n) => n.includes(state.active?.arn ?? '?')), `the debug console says which role: ${JSON.stringify(state.debugNotes)}`);
    assert.ok(state.debugNotes?.some((n) => /keys are a snapshot: they are not renewed and expire at/.test(n)), `the debug console says the keys are not renewed: ${JSON.stringify(state.debugNotes)}`);
  });

  it('Open Console as Role signs in through the federation endpoint and lands on the console', async () => {
    federation.requests.length = 0;
    await vscode.commands.executeCommand('awsRoles.openConsole');
    const [tokenRequest] = federation.requests;
    assert.equal(tokenRequest?.action, 'getSigninToken');
    assert.equal(tokenRequest.status, 200);
    assert.equal(tokenRequest.sessionArn, (await inspect()).active?.arn);
    assert.equal(tokenRequest.method, 'POST', 'the session goes in a form body, not the URL');
    // No longer than the role session still lives (at least the 15 minutes federation requires).
    const left = Math.ceil(((await inspect()).active?.expiresAt ?? 0) / 1000 - Date.now() / 1000);
    assert.ok(tokenRequest.sessionDuration !== undefined && tokenRequest.sessionDuration >= 900 && tokenRequest.sessionDuration <= Math.max(900, left), `console session ${tokenRequest.sessionDuration} s, credentials ${left} s`);
    assert.equal((await inspect()).consoleDestination, 'https://console.aws.amazon.com/console/home?region=eu-west-1');
  });

  it('Open Console as Role refuses an endpoint without a scheme before sending the session, and says so without a secret', async () => {
    // The old request put the session JSON URL-encoded into the query string; with no scheme the
    // runtime's error quoted that URL into the log and a notification. The secret scan, which runs
    // last, searches every log for each secret in its URL-encoded and JSON-escaped forms too.
    federation.requests.length = 0;
    await settings().update('console.federationEndpoint', federation.url.replace(/^http:\/\//, ''), global);
    await new Promise((resolve) => setTimeout(resolve, 200));
    try {
      // Not awaited: the error notification stays until dismissed.
      void vscode.commands.executeCommand('awsRoles.openConsole');
      const { storage } = await inspect();
      const log = await waitFor('the refusal in our log', async () => {
        const files = await fs.readdir(storage.logDir);
        const text = (await Promise.all(files.map((f) => fs.readFile(path.join(storage.logDir, f), 'utf8')))).join('\n');
        return /Opening the console for "[^"]+" failed/.test(text) ? text : undefined;
      });
      assert.match(log, /awsRoles\.console\.federationEndpoint is not usable: it is not an absolute URL/);
      // (The previous test's browser window may still load the console page from the fake: only a token request would carry the session.)
      assert.deepEqual(federation.requests.filter((r) => r.action === 'getSigninToken'), [], 'no session reached the endpoint');
    } finally {
      await settings().update('console.federationEndpoint', federation.url, global);
    }
  });

  it('the folder\'s own profile is assumed without asking when allowed and no MFA is needed', async () => {
    await settings().update('autoAssumeWorkspaceProfile', true, global);
    await settings().update('workspaceProfile', 'team', vscode.ConfigurationTarget.Workspace);
    const state = await waitFor('the workspace profile to be active', async () => {
      const s = await inspect();
      return s.active?.profileName === 'team' ? s : undefined;
    });
    assert.match(state.active?.arn ?? '', /assumed-role\/Team\//);
    assert.equal(state.active?.region, 'eu-central-1');
  });

  it('Add Role Profile appends a section and keeps the rest of the file as it was', async () => {
    const added = await vscode.commands.executeCommand('awsRoles.addRoleProfile', { name: 'added', roleArn: 'arn:aws:iam::444444444444:role/Added', sourceProfile: 'base', mfaSerial: 'arn:aws:iam::111111111111:mfa/alice' });
    assert.equal(added, 'added');
    const text = await fs.readFile(path.join(dir, 'config'), 'utf8');
    assert.ok(text.startsWith(configText), 'everything before is unchanged');
    assert.equal(text.slice(configText.length), '\n[profile added]\nrole_arn = arn:aws:iam::444444444444:role/Added\nsource_profile = base\nmfa_serial = arn:aws:iam::111111111111:mfa/alice\n');
    await waitFor('the new profile in the tree', async () => (await inspect()).tree.some((g) => (g.children ?? [g]).some((p) => p.label === 'added')));
    assert.equal(await vscode.commands.executeCommand('awsRoles.addRoleProfile', { name: 'added', roleArn: 'arn:aws:iam::444444444444:role/Added', sourceProfile: 'base' }), undefined, 'a duplicate name is refused');
  });
});
