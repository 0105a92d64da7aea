// Runs inside the demo's extension host for `npm run demo -- --check`: what a new user does first,
// against the demo's local STS and console stand-in. Throws (exit 1) at the first step that fails.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { InspectSnapshot } from '../src/vscode/testHooks';

const DEMO_PROFILES = ['demo', 'dev', 'dev-readonly', 'prod-admin', 'deploy', 'no-trust'];

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`demo check: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const inspect = async () => (await vscode.commands.executeCommand<InspectSnapshot>('awsRoles.inspectState'))!;
const labels = (s: InspectSnapshot) => s.tree.flatMap((g) => [g.label, ...(g.children ?? []).map((c) => c.label)]);

async function assume(profile: string): Promise<InspectSnapshot> {
  if ((await vscode.commands.executeCommand('awsRoles.assumeRole', profile)) !== true) throw new Error(`demo check: assuming ${profile} failed: ${(await inspect()).lastFailure ?? 'no reason recorded'}`);
  const s = await inspect();
  console.log(`  ✔ assumed ${profile}: ${s.active?.arn ?? '?'}`);
  return s;
}

export async function run(): Promise<void> {
  const extension = vscode.extensions.all.find((e) => e.packageJSON?.name === 'aws-role-switcher');
  if (!extension) throw new Error('demo check: the extension is not installed in the demo');
  await extension.activate();
  console.log('  ✔ the extension activated');
  const tree = await waitFor('the demo profiles in the tree', async () => {
    const s = await inspect();
    return DEMO_PROFILES.every((p) => labels(s).includes(p)) ? s : undefined;
  });
  console.log(`  ✔ the tree lists the demo profiles (${DEMO_PROFILES.filter((p) => labels(tree).includes(p)).join(', ')})`);

  const dev = await assume('dev');
  if (!/assumed-role\/Developer\//.test(dev.active?.arn ?? '')) throw new Error(`demo check: dev is ${dev.active?.arn}`);
  if (!dev.terminalEnv.AWS_ENDPOINT_URL_STS) throw new Error('demo check: terminals do not get the profile\'s STS endpoint');

  // README step 3: `aws sts get-caller-identity` in a terminal, no --endpoint-url (an AWS CLI that honours AWS_ENDPOINT_URL_STS).
  const cli = process.env.TEST_AWS_CLI_V1_COMMAND ? (JSON.parse(process.env.TEST_AWS_CLI_V1_COMMAND) as { file: string; args: string[] }) : undefined;
  if (cli) {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'demo-check-'));
    const terminal = vscode.window.createTerminal({ name: 'demo check', cwd: dir });
    terminal.sendText(`${[cli.file, ...cli.args].map((a) => JSON.stringify(a)).join(' ')} sts get-caller-identity --output text --query Arn > arn.txt 2> err.txt; echo ok > done.txt`);
    await waitFor('aws sts get-caller-identity in a terminal', async () => ((await fs.readFile(path.join(dir, 'done.txt'), 'utf8').catch(() => '')).includes('ok') ? true : undefined), 60_000);
    const arn = (await fs.readFile(path.join(dir, 'arn.txt'), 'utf8')).trim();
    if (arn !== dev.active?.arn) throw new Error(`demo check: aws in a terminal answered "${arn}": ${await fs.readFile(path.join(dir, 'err.txt'), 'utf8')}`);
    console.log(`  ✔ aws sts get-caller-identity in a terminal: ${arn}`);
    terminal.dispose();
    await fs.rm(dir, { recursive: true, force: true });
  } else {
    console.log('  - no AWS CLI v1 found: the terminal step was not checked');
  }

  // AWS: Add Role Profile, then Assume Now (the notification's button runs AWS: Assume Role).
  const roleArn = process.env.DEMO_CHECK_ADDABLE_ROLE ?? '';
  const added = await vscode.commands.executeCommand<string | undefined>('awsRoles.addRoleProfile', { name: 'sandbox', roleArn, sourceProfile: 'demo' });
  if (added !== 'sandbox') throw new Error('demo check: Add Role Profile did not add "sandbox"');
  console.log('  ✔ Add Role Profile added sandbox');
  await assume('sandbox');

  await vscode.commands.executeCommand('awsRoles.openConsole');
  const destination = await waitFor('Open Console as Role', async () => (await inspect()).consoleDestination, 30_000);
  console.log(`  ✔ Open Console as Role signed in through the local stand-in (${destination})`);
  // The browser opens the console URL on its own time; the demo process checks the stand-in saw it.
  await new Promise((r) => setTimeout(r, 3000));
  await vscode.commands.executeCommand('awsRoles.dropCredentials');
}
