// The benchmark's figures that need the real VS Code (code-server): activation read from the
// extension host, window open to status bar, switches through the command, heap and idle timers.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { launchBrowser, runSuiteInCodeServer, startCodeServer } from '../test/harness/codeServer';
import { LoopbackSts as FakeSts } from '../test/support/loopbackSts';
import { generateIdentityCenterConfig } from '../test/support/generateConfig';
import { measured, ms, stats, type Stat } from './bench';

type RowFn = (group: string, figure: string, value: string, target?: string, met?: boolean) => void;

const STATUS_ITEM = '[id="aws-role-switcher.aws-role-switcher.awsRoles.identity"]';
const mb = (s: Stat) => `${s.median.toFixed(1)} MB (${s.min.toFixed(1)}–${s.max.toFixed(1)}, n=${s.runs})`;

export async function measureInCodeServer(repoRoot: string, row: RowFn): Promise<void> {
  const alice = { arn: 'arn:aws:iam::111111111111:user/alice', accessKeyId: 'AKIABENCHVSCODE00001', secretAccessKey: 'bench-vscode-secret-0000000000000000001' };
  const sts = new FakeSts({ users: [alice], roles: ['Bench', 'Bench2'].map((r) => ({ arn: `arn:aws:iam::222222222222:role/${r}`, trustedPrincipals: [alice.arn] })) });
  const { url } = await sts.start();
  const sandbox = await fs.mkdtemp(path.join(os.tmpdir(), 'aws-roles-bench-vscode-'));
  try {
    const home = path.join(sandbox, 'home');
    const workspace = path.join(sandbox, 'workspace');
    await fs.mkdir(path.join(home, '.aws'), { recursive: true });
    await fs.mkdir(workspace, { recursive: true });
    const config = path.join(home, '.aws', 'config');
    const large = path.join(sandbox, 'config-5000');
    await fs.writeFile(config, ['Bench', 'Bench2'].map((r) => `[profile ${r.toLowerCase()}]\nrole_arn = arn:aws:iam::222222222222:role/${r}\nsource_profile = base\nregion = eu-west-1\nendpoint_url = ${url}\n`).join('\n'));
    await fs.writeFile(path.join(home, '.aws', 'credentials'), `[base]\naws_access_key_id = ${alice.accessKeyId}\naws_secret_access_key = ${alice.secretAccessKey}\n`);
    await fs.writeFile(large, generateIdentityCenterConfig(5000).text);
    const env = { HOME: home, SHELL: '/bin/bash', AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: path.join(home, '.aws', 'credentials'), BENCH_LARGE_CONFIG: large };
    const suite = path.join(repoRoot, 'out', 'scripts', 'benchSuite', 'index.js');

    const runs: Record<string, unknown>[] = [];
    const baselines: Record<string, unknown>[] = [];
    for (let i = 0; i < 3; i++) {
      for (const baseline of [false, true]) {
        const { exitCode, output } = await runSuiteInCodeServer({
          extensionDevelopmentPath: baseline ? path.join(repoRoot, 'scripts', 'benchStub') : repoRoot,
          extensionTestsPath: suite,
          workspace,
          env: { ...env, BENCH_BASELINE: baseline ? '1' : '0' },
          timeoutMs: 180_000,
        });
        const line = output.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
        if (exitCode !== 0 || !line) throw new Error(`bench suite failed (exit ${exitCode}):\n${output.slice(-2000)}`);
        (baseline ? baselines : runs).push(JSON.parse(line.slice('BENCH_RESULT '.length)) as Record<string, unknown>);
      }
    }
    const pick = (list: Record<string, unknown>[], key: string) => list.map((r) => Number(r[key]));
    const activation = stats(pick(runs, 'activationMs'));
    row('activation', 'module evaluation + activate(), read from the extension host (first window of each server)', ms(activation), '≤ 15 ms', activation.median <= 15);
    const marks = (runs[0].activationMarks as [string, number][]).map(([l, t]) => `${l} ${t.toFixed(1)}`).join(', ');
    row('activation', 'breakdown of the first run (ms since module start)', marks);
    const heapOurs = stats(runs.map((r, i) => Number(r.heapNoProfilesMb) - Number(baselines[i].heapBeforeMb)));
    row('footprint', 'extension-host heap added by the extension, 0 profiles (vs an empty extension)', mb(heapOurs));
    const heapLarge = stats(runs.map((r, i) => Number(r.heap5000ProfilesMb) - Number(baselines[i].heapBeforeMb)));
    row('footprint', 'extension-host heap added by the extension, 5,000 profiles loaded', mb(heapLarge));
    const largeLoad = stats(pick(runs, 'largeLoadInVsCodeMs'));
    row('config', '5000 profiles in VS Code: AWS: Refresh Profiles (read, classify, tree refreshed)', ms(largeLoad));
    row('config', '5000 profiles in VS Code: every tree item and tooltip built once (test snapshot)', ms(stats(pick(runs, 'largeTreeSnapshotMs'))));
    const switchMs = stats(runs.flatMap((r) => r.switchMs as number[]));
    const bare = measured.bareStsMs;
    row('switch', 'in VS Code: awsRoles.assumeRole to env collection + status bar updated', ms(switchMs), bare === undefined ? undefined : `≤ bare STS + 5 ms (${(bare + 5).toFixed(1)} ms)`, bare === undefined ? undefined : switchMs.median <= bare + 5);
    const noSession = stats(pick(runs, 'idleTimersPerMinuteNoSession'));
    row('idle', 'timers scheduled per minute, no session', `${noSession.median} (max ${noSession.max})`, '0', noSession.max === 0);
    const withSession = stats(pick(runs, 'idleTimersPerMinuteWithSession'));
    row('idle', 'timers scheduled per minute, session shown (countdown)', `${withSession.median} (max ${withSession.max})`, '≤ 60 (once a second)', withSession.max <= 61);

    // Window open to the status bar item showing: a fresh server (cold), then reloads (warm).
    const server = await startCodeServer({ extensionDevelopmentPath: repoRoot, workspace, env });
    const browser = await launchBrowser();
    try {
      const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
      const samples: number[] = [];
      for (let i = 0; i < 4; i++) {
        const t = performance.now();
        if (i === 0) await page.goto(server.url(), { timeout: 90_000 });
        else await page.reload({ timeout: 90_000 });
        await page.locator(STATUS_ITEM).waitFor({ state: 'visible', timeout: 90_000 });
        samples.push(performance.now() - t);
      }
      row('activation', 'window open to status bar item shown, cold (first window of a server)', `${samples[0].toFixed(0)} ms`);
      row('activation', 'window open to status bar item shown, warm (reload)', ms(stats(samples.slice(1))));
    } finally {
      await browser.close();
      await server.stop();
    }
  } finally {
    await sts.stop();
    await fs.rm(sandbox, { recursive: true, force: true });
  }
}
