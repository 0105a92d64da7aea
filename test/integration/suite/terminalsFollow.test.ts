import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { findCliV1 } from '../../support/awsCliV1';
import { LoopbackSts } from '../../support/loopbackSts';
import type { StaleTerminalsAnswers, StaleTerminalsNotice } from '../../../src/vscode/terminalEnvironment';
import { assumeOrExplain, EXTENSION_ID, inspect, parseEnvFile, runInNewTerminal, trackSts, waitFor } from './helpers';

// Terminals that follow the window's identity: the profile's own endpoints reach them (the real
// AWS CLI v1 answers from the test STS with no --endpoint-url), and after a switch or a drop the
// terminals that keep the old identity are named once, with Relaunch, Use Endpoint Mode and
// Don't Show Again. The notice's answers are given through a test hook.
const alice = { arn: 'arn:aws:iam::111111111111:user/alice', accessKeyId: 'AKIAFOLLOWITALICE001', secretAccessKey: 'alice-it-follow-secret-00000000000000001' };
const roles = { dev: 'arn:aws:iam::222222222222:role/Dev', deploy: 'arn:aws:iam::333333333333:role/Deploy' };
const NOTICE = 'awsRoles.test.staleTerminalsNotice';

describe('Terminals that follow the switch', function () {
  this.timeout(120000);
  let sts: LoopbackSts;
  let stsUrl: string;
  let dir: string;
  let cli: string;
  const settings = () => vscode.workspace.getConfiguration('awsRoles');
  const global = vscode.ConfigurationTarget.Global;
  const notice = async (answers?: StaleTerminalsAnswers | null, options?: { forget?: boolean; showAgain?: boolean }) => vscode.commands.executeCommand<StaleTerminalsNotice | undefined>(NOTICE, answers, options);
  const ours = () => vscode.window.terminals.filter((t) => t.name.startsWith('follow-'));

  /** A terminal of our own, opened with the window's variables, once its shell has said it is ready. */
  async function openTerminal(name: string, options: Partial<vscode.TerminalOptions> = {}): Promise<vscode.Terminal> {
    const terminal = vscode.window.createTerminal({ name, cwd: dir, ...options });
    await waitFor(`shell integration in ${name}`, () => terminal.shellIntegration, 20_000);
    return terminal;
  }

  /** Runs a line in an open terminal and waits for it to finish. */
  async function run(terminal: vscode.Terminal, line: string, marker: string): Promise<void> {
    const done = path.join(dir, `${marker}.done`);
    await fs.rm(done, { force: true });
    terminal.sendText(`${line}; echo ok > ${JSON.stringify(done)}`);
    await waitFor(`${marker} in ${terminal.name}`, async () => (await fs.readFile(done, 'utf8').catch(() => '')).includes('ok'), 30_000);
  }

  const keyIdIn = async (terminal: vscode.Terminal, marker: string) => {
    await run(terminal, `env | grep ^AWS_ > ${marker}.env`, marker);
    return parseEnvFile(await fs.readFile(path.join(dir, `${marker}.env`), 'utf8'));
  };

  before(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
    // Terminals of earlier suites would be counted too.
    for (const t of vscode.window.terminals) t.dispose();
    sts = trackSts(new LoopbackSts({ users: [alice], roles: Object.values(roles).map((arn) => ({ arn, trustedPrincipals: [alice.arn] })) }));
    stsUrl = (await sts.start()).url;
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'aws-roles-follow-'));
    const v1 = findCliV1();
    cli = [v1.file, ...v1.args].map((a) => JSON.stringify(a)).join(' ');
    await fs.writeFile(
      path.join(dir, 'config'),
      [
        `[services local]\nsts =\n  endpoint_url = ${stsUrl}\n`,
        `[profile base]\nregion = eu-west-1\nservices = local\n`,
        `[profile dev]\nrole_arn = ${roles.dev}\nsource_profile = base\nregion = eu-west-1\nservices = local\n`,
        `[profile deploy]\nrole_arn = ${roles.deploy}\nsource_profile = base\nregion = eu-central-1\nservices = local\n`,
        `[profile deploy-url]\nrole_arn = ${roles.deploy}\nsource_profile = base\nregion = eu-central-1\nendpoint_url = ${stsUrl}\n`,
      ].join('\n'),
    );
    await fs.writeFile(path.join(dir, 'credentials'), `[base]\naws_access_key_id = ${alice.accessKeyId}\naws_secret_access_key = ${alice.secretAccessKey}\n`, { mode: 0o600 });
    await settings().update('configFile', path.join(dir, 'config'), global);
    await settings().update('credentialsFile', path.join(dir, 'credentials'), global);
    await waitFor('the fixture in the tree', async () => (await inspect()).tree.some((g) => (g.children ?? [g]).some((p) => p.label === 'deploy-url')));
  });

  afterEach(async () => {
    await notice(undefined, { forget: true, showAgain: true });
    for (const t of ours()) t.dispose();
  });

  after(async () => {
    await vscode.commands.executeCommand('awsRoles.dropCredentials');
    for (const key of ['configFile', 'credentialsFile', 'terminalCredentials']) await settings().update(key, undefined, global);
    await sts.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("gives terminals the profile's endpoints: the AWS CLI v1 there answers from the test STS without --endpoint-url, in both modes; none on drop", async () => {
    await notice({});
    await assumeOrExplain('dev');
    let env = (await inspect()).terminalEnv;
    assert.equal(env.AWS_ENDPOINT_URL_STS, stsUrl);
    assert.equal(env.AWS_ENDPOINT_URL, undefined, 'the profile sets no endpoint_url of its own');

    await runInNewTerminal('follow-cli', dir, `${cli} sts get-caller-identity --output text --query Arn > keys-arn.txt 2> keys.err`, 60_000);
    assert.match((await fs.readFile(path.join(dir, 'keys-arn.txt'), 'utf8')).trim(), /^arn:aws:sts::222222222222:assumed-role\/Dev\//, await fs.readFile(path.join(dir, 'keys.err'), 'utf8'));

    // Endpoint mode: the address of this window's endpoint, and the profile's endpoints too.
    await settings().update('terminalCredentials', 'endpoint', global);
    env = await waitFor('endpoint mode', async () => ((await inspect()).terminalEnv.AWS_CONTAINER_CREDENTIALS_FULL_URI ? (await inspect()).terminalEnv : undefined));
    assert.equal(env.AWS_ENDPOINT_URL_STS, stsUrl);
    assert.equal(env.AWS_ACCESS_KEY_ID, undefined);
    await runInNewTerminal('follow-cli-endpoint', dir, `${cli} sts get-caller-identity --output text --query Arn > endpoint-arn.txt 2> endpoint.err`, 60_000);
    assert.match((await fs.readFile(path.join(dir, 'endpoint-arn.txt'), 'utf8')).trim(), /^arn:aws:sts::222222222222:assumed-role\/Dev\//, await fs.readFile(path.join(dir, 'endpoint.err'), 'utf8'));
    await settings().update('terminalCredentials', undefined, global);
    await waitFor('the keys back', async () => ((await inspect()).terminalEnv.AWS_ACCESS_KEY_ID ? true : undefined));

    // A profile with only endpoint_url: AWS_ENDPOINT_URL, and the services one is gone.
    await assumeOrExplain('deploy-url');
    env = (await inspect()).terminalEnv;
    assert.equal(env.AWS_ENDPOINT_URL, stsUrl);
    assert.equal(env.AWS_ENDPOINT_URL_STS, undefined);
    await vscode.commands.executeCommand('awsRoles.dropCredentials');
    env = (await inspect()).terminalEnv;
    assert.deepEqual(Object.keys(env).filter((k) => k.startsWith('AWS_')), [], 'nothing of ours after a drop');
  });

  it('after a switch, one notice counts the terminals that keep the old role; Relaunch replaces the idle ones and asks about the busy one', async () => {
    await notice({ choice: undefined });
    await assumeOrExplain('dev');
    const idle = await openTerminal('follow-idle');
    const busy = await openTerminal('follow-busy');
    // Their own AWS_PROFILE: not ours to count or relaunch.
    const own = await openTerminal('follow-own', { env: { AWS_PROFILE: 'someone-else' } });
    const devKey = (await keyIdIn(idle, 'idle-before')).AWS_ACCESS_KEY_ID;
    assert.equal(devKey, (await inspect()).active?.accessKeyId);
    busy.sendText('sleep 120');
    await waitFor('the busy terminal to run something', () => (busy.state.isInteractedWith ? true : undefined));
    await new Promise((r) => setTimeout(r, 1000));
    // Opened after the switch: not stale.
    await notice({ choice: 'Relaunch Terminals', others: undefined }, { forget: true });
    await assumeOrExplain('deploy');
    await openTerminal('follow-after');

    const shown = await waitFor('the notice', () => notice(null));
    assert.equal(shown.count, 2, `${shown.message} (${shown.terminals.join(', ')})`);
    assert.deepEqual([...shown.terminals].sort(), ['follow-busy', 'follow-idle']);
    assert.match(shown.message, /^2 open terminals still have the AWS credentials they were opened with, not those of profile deploy/);
    const done = await waitFor('the relaunch', async () => ((await notice(null))?.relaunched !== undefined ? notice(null) : undefined));
    assert.equal(done?.relaunched, 1, 'only the idle one; the busy one was asked about and declined');
    assert.ok(!vscode.window.terminals.includes(idle), 'the idle terminal was replaced');
    assert.ok(vscode.window.terminals.includes(busy) && vscode.window.terminals.includes(own));
    const relaunched = await waitFor('the relaunched terminal', () => vscode.window.terminals.find((t) => t.name === 'follow-idle'));
    await waitFor('its shell', () => relaunched.shellIntegration, 20_000);
    const env = await keyIdIn(relaunched, 'idle-after');
    assert.equal(env.AWS_ACCESS_KEY_ID, (await inspect()).active?.accessKeyId);
    assert.notEqual(env.AWS_ACCESS_KEY_ID, devKey);
    assert.equal(env.AWS_REGION, 'eu-central-1');

    // A refresh keeps the role: no notice.
    await notice({ choice: undefined }, { forget: true });
    assert.equal(await vscode.commands.executeCommand('awsRoles.refreshCredentials'), true);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await notice(null), undefined, 'no notice after a refresh');
  });

  it("a drop is noticed too; Don't Show Again is remembered", async () => {
    await notice({ choice: undefined });
    await assumeOrExplain('dev');
    const t = await openTerminal('follow-drop');
    await run(t, 'true', 'drop-touch');
    await notice({ choice: "Don't Show Again" }, { forget: true });
    await vscode.commands.executeCommand('awsRoles.dropCredentials');
    const shown = await waitFor('the notice after the drop', () => notice(null));
    assert.equal(shown.count, 1);
    assert.match(shown.message, /^An open terminal still has .* although the session was dropped/);
    await waitFor('the answer', async () => ((await notice(null))?.choice ? true : undefined));
    await notice(null, { forget: true });
    await assumeOrExplain('deploy');
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await notice(null), undefined, 'not shown again');
  });

  it('Use Endpoint Mode switches the setting, relaunches the open terminals once, and they then follow every switch', async () => {
    await notice({ choice: undefined });
    await assumeOrExplain('dev');
    const t = await openTerminal('follow-endpoint');
    await run(t, 'true', 'endpoint-touch');
    await notice({ choice: 'Use Endpoint Mode', afterEndpoint: 'Relaunch Terminals', others: 'Relaunch Them Too' }, { forget: true });
    await assumeOrExplain('deploy');
    await waitFor('the notice', () => notice(null));
    await waitFor('endpoint mode', () => (settings().get('terminalCredentials') === 'endpoint' ? true : undefined));
    const relaunched = await waitFor('the relaunched terminal', () => vscode.window.terminals.find((x) => x.name === 'follow-endpoint' && x !== t));
    await waitFor(`its shell (${vscode.window.terminals.map((x) => `${x.name}:${x === t}:${x.exitStatus?.code}:${Boolean(x.shellIntegration)}`).join(', ')})`, () => relaunched.shellIntegration, 20_000);
    const env = await keyIdIn(relaunched, 'endpoint-env');
    assert.ok(env.AWS_CONTAINER_CREDENTIALS_FULL_URI, 'the endpoint address');
    assert.equal(env.AWS_ACCESS_KEY_ID, undefined);
    const arn = async (marker: string) => {
      await run(relaunched, `${cli} sts get-caller-identity --output text --query Arn > ${marker}.txt 2> ${marker}.err`, marker);
      return (await fs.readFile(path.join(dir, `${marker}.txt`), 'utf8')).trim() || (await fs.readFile(path.join(dir, `${marker}.err`), 'utf8'));
    };
    assert.match(await arn('as-deploy'), /assumed-role\/Deploy\//);
    await notice({ choice: undefined }, { forget: true });
    await assumeOrExplain('dev');
    assert.match(await arn('as-dev'), /assumed-role\/Dev\//, 'the same terminal follows the switch');
    assert.equal(await notice(null), undefined, 'no notice in endpoint mode');
    await settings().update('terminalCredentials', undefined, global);
  });
});
