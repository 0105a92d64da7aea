// Runs inside code-server's extension host (extensionTestsPath) for `npm run bench`. The extension
// under development is a copy whose manifest has no activation event, so nothing activates it
// before this suite does; empty extensions (installed by the bench) are activated the same way in
// the same host as the reference. Then the first switch after the window opened (the lazy chunks
// load), and warm switches through the real command paired with bare STS round trips from this
// host; with BENCH_FULL=1 also timers while idle, heap with 0 and 5,000 profiles, and IAM Identity
// Center: sign-in with discovery from the stand-in, then the tree of 1,200 discovered roles. Times are
// wall time and the host thread's CPU time. Prints one line `BENCH_RESULT {json}`.
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import * as vscode from 'vscode';
import { threadCpuMs } from '../benchStats';

// The extension host runs without --expose-gc; this turns it on for the heap figures.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const EXTENSION_ID = 'aws-role-switcher.aws-role-switcher';
/** The empty extensions the bench installs: bench.empty0, bench.empty1, ... */
const EMPTY_PREFIX = 'bench.empty';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The parts of the inspect command's tree snapshot the bench reads. */
interface SnapshotNode {
  contextValue?: string;
  children?: SnapshotNode[];
}

interface Diagnostics {
  activationMs: number;
  activationMarks: [string, number][];
  timers(): { scheduled: number; pending: number };
}

/** Wall time and this (the extension host's) thread's CPU time of `fn`. */
async function timed<T>(fn: () => PromiseLike<T> | T): Promise<{ wall: number; cpu: number; value: T }> {
  const cpu = threadCpuMs();
  const wall = performance.now();
  const value = await fn();
  return { wall: performance.now() - wall, cpu: threadCpuMs() - cpu, value };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await sleep(200);
    gc();
  }
}

/** ext.activate() as this suite sees it: the host reads and evaluates the module, builds the context, calls activate(). */
async function timedActivate<T>(ext: vscode.Extension<T>): Promise<{ wall: number; cpu: number; value: T }> {
  if (ext.isActive) throw new Error(`${ext.id} was already active: the bench's copy must have no activation event`);
  await settle();
  return timed(() => ext.activate());
}

/** awsRoles.assumeRole through the command, timed; then checks (untimed) that it applied. */
async function assume(profile: string): Promise<{ wall: number; cpu: number }> {
  const { wall, cpu, value: ok } = await timed(() => vscode.commands.executeCommand('awsRoles.assumeRole', profile));
  const state = (await vscode.commands.executeCommand('awsRoles.inspectState')) as { active?: { accessKeyId: string; profileName: string }; terminalEnv: Record<string, string> };
  if (ok !== true || state.active?.profileName !== profile || state.terminalEnv.AWS_ACCESS_KEY_ID !== state.active?.accessKeyId) throw new Error('switch did not apply');
  return { wall, cpu };
}

/**
 * Timers the extension schedules per minute while idling for `ms`, from the first to the last time
 * the count changed (polled every 50 ms): a fixed window can hold 11 ticks of a once-a-second
 * timer (both ends), which reads as 66 a minute.
 */
async function timersPerMinute(diag: Diagnostics, ms: number): Promise<number> {
  const start = diag.timers().scheduled;
  const changes: [number, number][] = [];
  const end = performance.now() + ms;
  while (performance.now() < end) {
    await sleep(50);
    const count = diag.timers().scheduled;
    if (count !== (changes.at(-1)?.[1] ?? start)) changes.push([performance.now(), count]);
  }
  if (changes.length < 2) return ((changes.at(-1)?.[1] ?? start) - start) * (60_000 / ms);
  const [[t0, c0], [t1, c1]] = [changes[0], changes[changes.length - 1]];
  return ((c1 - c0) * 60_000) / (t1 - t0);
}

export async function run(): Promise<void> {
  const result: Record<string, unknown> = {};
  const full = process.env.BENCH_FULL === '1';
  // Let the window's own start-up work (onStartupFinished activations, restored views) pass.
  await sleep(3000);
  await settle();
  result.heapBeforeMb = process.memoryUsage().heapUsed / 2 ** 20;

  // Two empty extensions, ours, two more: the first activation in a host warms its activation path.
  const empties = vscode.extensions.all.filter((e) => e.id.startsWith(EMPTY_PREFIX)).sort((a, b) => a.id.localeCompare(b.id));
  if (empties.length < 4) throw new Error(`expected 4 empty extensions from the bench, found ${empties.length}`);
  const ext = vscode.extensions.getExtension<Diagnostics>(EXTENSION_ID);
  if (!ext) throw new Error('extension not found');
  const emptyRuns = [];
  for (const e of empties.slice(0, 2)) emptyRuns.push(await timedActivate(e));
  const ours = await timedActivate(ext);
  for (const e of empties.slice(2)) emptyRuns.push(await timedActivate(e));
  result.emptyActivate = emptyRuns.map((r) => ({ wall: r.wall, cpu: r.cpu }));
  result.activate = { wall: ours.wall, cpu: ours.cpu };
  result.activationMs = ours.value.activationMs;
  result.activationMarks = ours.value.activationMarks;
  const diag = ours.value;

  if (full) {
    // Idle, no session: how many timers does the extension schedule?
    result.idleTimersPerMinuteNoSession = await timersPerMinute(diag, 10_000);
    await settle();
    result.heapNoProfilesMb = process.memoryUsage().heapUsed / 2 ** 20;
  }

  // The first switch of the window requires the lazy chunks.
  await settle();
  result.firstSwitch = await assume('bench');

  // Warm switches (alternating two profiles), each paired with a bare AssumeRole from this host
  // through a warm SDK client of its own (not the extension's chunk), order alternating.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { AssumeRoleCommand, STSClient } = require('@aws-sdk/client-sts') as typeof import('@aws-sdk/client-sts');
  const client = new STSClient({
    endpoint: process.env.BENCH_STS_URL,
    region: 'eu-west-1',
    credentials: { accessKeyId: process.env.BENCH_STS_KEY_ID ?? '', secretAccessKey: process.env.BENCH_STS_SECRET ?? '' },
    maxAttempts: 1,
  });
  let n = 0;
  const bare = async () => (await timed(() => client.send(new AssumeRoleCommand({ RoleArn: process.env.BENCH_STS_ROLE, RoleSessionName: `bench-${n++}` })))).wall;
  for (let i = 0; i < 3; i++) await bare();
  const switches: { wall: number; cpu: number; bareWall: number }[] = [];
  for (let i = 1; i <= 20; i++) {
    const profile = i % 2 ? 'bench2' : 'bench';
    if (i % 2) {
      const bareWall = await bare();
      switches.push({ ...(await assume(profile)), bareWall });
    } else {
      const s = await assume(profile);
      switches.push({ ...s, bareWall: await bare() });
    }
  }
  client.destroy();
  result.switches = switches;

  if (full) {
    // With a session: the countdown ticks once a second, no faster.
    result.idleTimersPerMinuteWithSession = await timersPerMinute(diag, 10_000);
    await vscode.commands.executeCommand('awsRoles.dropCredentials');

    // 5,000 profiles loaded (config file path from the bench).
    await vscode.workspace.getConfiguration('awsRoles').update('configFile', process.env.BENCH_LARGE_CONFIG, vscode.ConfigurationTarget.Global);
    // Let the watcher's own reload of the new path (debounced) pass, then time one refresh alone.
    await sleep(1500);
    await settle();
    const t = performance.now();
    await vscode.commands.executeCommand('awsRoles.refreshProfiles');
    result.largeLoadInVsCodeMs = performance.now() - t;
    const t2 = performance.now();
    const state = (await vscode.commands.executeCommand('awsRoles.inspectState')) as { tree: unknown[] };
    if (state.tree.length < 100) throw new Error('the 5,000 profiles did not load');
    result.largeTreeSnapshotMs = performance.now() - t2;
    await settle();
    result.heap5000ProfilesMb = process.memoryUsage().heapUsed / 2 ** 20;

    // IAM Identity Center (stand-in from the bench, through AWS_ENDPOINT_URL_SSO_OIDC / _SSO): sign
    // in with PKCE, the sign-in's discovery, then the tree of every discovered role.
    const roles = Number(process.env.BENCH_IDC_ROLES);
    const settings = vscode.workspace.getConfiguration('awsRoles');
    await settings.update('configFile', process.env.BENCH_IDC_CONFIG, vscode.ConfigurationTarget.Global);
    // code-server's extension host is a remote one, where auto would pick the device code flow.
    await settings.update('sso.flow', 'authorizationCode', vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('awsRoles.test.ssoHttpBrowser');
    await sleep(1500);
    await settle();
    const t3 = performance.now();
    const signedIn = await vscode.commands.executeCommand('awsRoles.ssoSignIn', 'corp');
    result.ssoSignInMs = performance.now() - t3;
    const after = (await vscode.commands.executeCommand('awsRoles.inspectState')) as { lastFailure?: string; identityCenter: { lastDiscovery?: { elapsedMs: number; calls: number; retries: number; accounts: number; roles: number } } };
    const discovery = after.identityCenter.lastDiscovery;
    if (signedIn !== true || discovery?.roles !== roles) throw new Error(`sign-in or discovery failed: ${after.lastFailure ?? JSON.stringify(discovery)}`);
    result.ssoDiscovery = { elapsedMs: discovery.elapsedMs, calls: discovery.calls, retries: discovery.retries, accounts: discovery.accounts, roles: discovery.roles };
    await settle();
    const t4 = performance.now();
    await vscode.commands.executeCommand('awsRoles.refreshProfiles');
    result.ssoRefreshMs = performance.now() - t4;
    const t5 = performance.now();
    const tree = ((await vscode.commands.executeCommand('awsRoles.inspectState')) as { tree: SnapshotNode[] }).tree;
    result.ssoTreeSnapshotMs = performance.now() - t5;
    const shown = tree.filter((n) => /;ssoSession;/.test(n.contextValue ?? '')).flatMap((s) => s.children ?? []).reduce((n, account) => n + (account.children?.length ?? 0), 0);
    if (shown !== roles) throw new Error(`the tree shows ${shown} discovered roles, not ${roles}`);
  }
  console.log(`BENCH_RESULT ${JSON.stringify(result)}`);
}
