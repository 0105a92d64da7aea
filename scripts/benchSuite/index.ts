// Runs inside code-server's extension host (extensionTestsPath) for `npm run bench`: reads the
// extension's own activation time, measures switches through the real command, heap with 0 and
// 5,000 profiles, and timers while idle. Prints one line `BENCH_RESULT {json}`.
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import * as vscode from 'vscode';

// The extension host runs without --expose-gc; this turns it on for the heap figures.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const EXTENSION_ID = 'aws-role-switcher.aws-role-switcher';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Diagnostics {
  activationMs: number;
  activationMarks: [string, number][];
  timers(): { scheduled: number; pending: number };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await sleep(200);
    gc();
  }
}

export async function run(): Promise<void> {
  const result: Record<string, unknown> = {};
  const baseline = process.env.BENCH_BASELINE === '1';
  await settle();
  result.heapBeforeMb = process.memoryUsage().heapUsed / 2 ** 20;
  if (baseline) {
    console.log(`BENCH_RESULT ${JSON.stringify(result)}`);
    return;
  }
  const ext = vscode.extensions.getExtension<Diagnostics>(EXTENSION_ID);
  if (!ext) throw new Error('extension not found');
  const diag = await ext.activate();
  result.activationMs = diag.activationMs;
  result.activationMarks = diag.activationMarks;

  // Idle, no session: how many timers does the extension schedule in 10 s?
  const idle0 = diag.timers().scheduled;
  await sleep(10_000);
  result.idleTimersPerMinuteNoSession = ((diag.timers().scheduled - idle0) * 60) / 10;
  await settle();
  result.heapNoProfilesMb = process.memoryUsage().heapUsed / 2 ** 20;

  // Switches through the real command, alternating two profiles.
  const switches: number[] = [];
  for (let i = 0; i < 21; i++) {
    const t = performance.now();
    const ok = await vscode.commands.executeCommand('awsRoles.assumeRole', i % 2 ? 'bench' : 'bench2');
    const elapsed = performance.now() - t;
    const state = (await vscode.commands.executeCommand('awsRoles.inspectState')) as { active?: { accessKeyId: string; profileName: string }; terminalEnv: Record<string, string>; statusBar: { text: string } };
    if (ok !== true || state.terminalEnv.AWS_ACCESS_KEY_ID !== state.active?.accessKeyId) throw new Error('switch did not apply');
    if (i > 0) switches.push(elapsed);
  }
  result.switchMs = switches;

  // With a session: the countdown ticks once a second, no faster.
  const idle1 = diag.timers().scheduled;
  await sleep(10_000);
  result.idleTimersPerMinuteWithSession = ((diag.timers().scheduled - idle1) * 60) / 10;
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
  console.log(`BENCH_RESULT ${JSON.stringify(result)}`);
}
