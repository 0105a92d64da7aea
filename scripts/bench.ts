// `npm run bench`: speed and footprint figures, printed as one table and written to
// bench/results.md with the machine, versions and date. Medians and spreads over repeated runs;
// ratios are measured side by side in the same run. Not a test: nothing here passes or fails,
// but each figure is printed next to its target.
import { execFile, execFileSync } from 'node:child_process';
import { promises as fs, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { loadAwsFiles } from '../src/core/config/sharedFiles';
import { readCliCache, writeCliCache } from '../src/core/credentials/cliCache';
import { systemClock } from '../src/core/clock';
import { MfaSessionCache } from '../src/core/credentials/mfaSessions';
import { buildProfileSet } from '../src/core/config/profiles';
import { resolveSession, type ResolveDeps } from '../src/core/session/resolveSession';
import { createStsApi } from '../src/core/credentials/stsClient';
import { buildProfileGroups } from '../src/core/config/profileGroups';
import { cleanEnv, findCliV1 } from '../test/support/awsCliV1';
import { LoopbackSts as FakeSts } from '../test/support/loopbackSts';
import { generateIdentityCenterConfig } from '../test/support/generateConfig';
import { measureInCodeServer } from './benchVscode';

const repoRoot = path.resolve(__dirname, '..', '..');

export interface Stat {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export function stats(samples: number[]): Stat {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], runs: sorted.length };
}

export async function time(runs: number, fn: () => Promise<unknown> | unknown, warmup = 1): Promise<Stat> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  return stats(samples);
}

export interface Row {
  group: string;
  figure: string;
  value: string;
  target?: string;
  met?: boolean;
}

const rows: Row[] = [];
/** The bare STS round trip measured in this run, for the in-VS Code switch's target. */
export const measured: { bareStsMs?: number } = {};
export const ms = (s: Stat) => `${s.median.toFixed(1)} ms (${s.min.toFixed(1)}–${s.max.toFixed(1)}, n=${s.runs})`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
export function row(group: string, figure: string, value: string, target?: string, met?: boolean): void {
  rows.push({ group, figure, value, target, met });
  console.log(`${group.padEnd(12)} ${figure.padEnd(58)} ${value.padEnd(34)} ${target ? `${met ? 'ok ' : 'MISS'} ${target}` : ''}`);
}

function runCli(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => execFile(file, args, { env, encoding: 'utf8', timeout: 60_000 }, (e, out, err) => (e ? reject(new Error(`${file} ${args.join(' ')}: ${err}`)) : resolve(out))));
}

async function footprint(): Promise<void> {
  execFileSync('node', ['esbuild.js', '--production'], { cwd: repoRoot, stdio: 'inherit' });
  for (const f of ['extension.js', 'stsClient.js', 'credentialSources.js']) {
    const size = statSync(path.join(repoRoot, 'dist', f)).size;
    if (f === 'extension.js') row('footprint', 'dist/extension.js (loaded at activation, minified)', kb(size), '≤ 60 KB', size <= 60 * 1024);
    else row('footprint', `dist/${f} (loaded on first use)`, kb(size));
  }
  execFileSync('npx', ['vsce', 'package', '--no-dependencies', '--no-rewrite-relative-links', '--out', 'bench/aws-role-switcher.vsix'], { cwd: repoRoot, stdio: 'ignore' });
  const vsix = statSync(path.join(repoRoot, 'bench', 'aws-role-switcher.vsix')).size;
  row('footprint', '.vsix', kb(vsix), '≤ 1 MB', vsix <= 1024 * 1024);
  await fs.rm(path.join(repoRoot, 'bench', 'aws-role-switcher.vsix'), { force: true });
}

async function configScale(dir: string): Promise<void> {
  for (const n of [100, 1000, 5000]) {
    const generated = generateIdentityCenterConfig(n);
    const paths = { configPath: path.join(dir, `config-${n}`), credentialsPath: path.join(dir, 'credentials-none') };
    await fs.writeFile(paths.configPath, generated.text);
    const load = () => loadAwsFiles(paths).then((files) => buildProfileGroups(buildProfileSet(files)));
    const s = await time(9, load, 2);
    row('config', `${n} profiles: read + classify + tree model`, ms(s), n === 5000 ? '≤ 100 ms' : undefined, n === 5000 ? s.median <= 100 : undefined);
    if (n === 5000) {
      let flip = false;
      const edit = await time(9, async () => {
        flip = !flip;
        await fs.writeFile(paths.configPath, generated.text.replace('region = us-east-1', flip ? 'region = eu-west-1' : 'region = us-east-1'));
        return load();
      });
      row('config', '5000 profiles: re-read after a one-line edit', ms(edit), '≤ 100 ms', edit.median <= 100);
      const set = buildProfileSet(await loadAwsFiles(paths));
      const filter = await time(21, () => buildProfileGroups(set, generated.sample.accountId.slice(0, 8)));
      row('config', '5000 profiles: filter the tree model', ms(filter));
      // The frozen @aws-sdk/shared-ini-file-loader 3.374 (which re-exports @smithy 1.x) against the maintained one.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const oldLoader = require('aws-sdk-ini-loader-3374') as typeof import('@smithy/shared-ini-file-loader');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const newLoader = require('@smithy/shared-ini-file-loader') as typeof import('@smithy/shared-ini-file-loader');
      for (const size of [2000, 5000]) {
        const p = path.join(dir, `loader-${size}`);
        await fs.writeFile(p, generateIdentityCenterConfig(size).text);
        const init = { configFilepath: p, filepath: path.join(dir, 'none'), ignoreCache: true };
        const current = await time(5, () => newLoader.loadSharedConfigFiles(init));
        const frozen = await time(3, () => oldLoader.loadSharedConfigFiles(init));
        row('ini loader', `${size} profiles: @smithy/shared-ini-file-loader 4.x`, ms(current));
        row('ini loader', `${size} profiles: @aws-sdk/shared-ini-file-loader 3.374`, `${ms(frozen)}, ${(frozen.median / current.median).toFixed(1)}× slower`);
      }
    }
  }
}

async function switching(dir: string): Promise<void> {
  const alice = { arn: 'arn:aws:iam::111111111111:user/alice', accessKeyId: 'AKIABENCHALICE000001', secretAccessKey: 'bench-alice-secret-000000000000000000001' };
  const roleArn = 'arn:aws:iam::222222222222:role/Bench';
  const mfa = { serial: 'arn:aws:iam::111111111111:mfa/alice', userArn: alice.arn, code: '123456' };
  const sts = new FakeSts({ users: [alice], roles: [{ arn: roleArn, trustedPrincipals: [alice.arn] }, { arn: `${roleArn}Mfa`, trustedPrincipals: [alice.arn], requireMfa: true }], mfaDevices: [mfa] });
  const { url } = await sts.start();
  try {
    const paths = { configPath: path.join(dir, 'switch-config'), credentialsPath: path.join(dir, 'switch-credentials') };
    await fs.writeFile(paths.configPath, `[profile bench]\nrole_arn = ${roleArn}\nsource_profile = base\nregion = eu-west-1\n\n[profile bench-mfa]\nrole_arn = ${roleArn}Mfa\nsource_profile = base\nmfa_serial = ${mfa.serial}\nregion = eu-west-1\n`);
    await fs.writeFile(paths.credentialsPath, `[base]\naws_access_key_id = ${alice.accessKeyId}\naws_secret_access_key = ${alice.secretAccessKey}\n`);
    const set = buildProfileSet(await loadAwsFiles(paths));
    // Bare STS round trip: a warm SDK client in this process.
    const client = new STSClient({ endpoint: url, region: 'eu-west-1', credentials: alice, maxAttempts: 1 });
    let n = 0;
    const bare = await time(25, () => client.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: `bench-${n++}` })), 3);
    row('switch', 'bare STS AssumeRole round trip (warm @aws-sdk/client-sts)', ms(bare));
    measured.bareStsMs = bare.median;
    const stsApi = createStsApi({ requestTimeoutMs: 5000, maxAttempts: 1 });
    const deps: ResolveDeps = { loadSts: async () => stsApi, mfaCode: async () => mfa.code, clock: systemClock, env: { AWS_ENDPOINT_URL_STS: url }, sessionName: () => 'bench' };
    const ours = await time(25, () => resolveSession(set, 'bench', deps), 3);
    row('switch', 'our switch (resolve the profile, AssumeRole, build the session)', ms(ours), '≤ bare + 5 ms', ours.median <= bare.median + 5);
    // The tutorial workflow: the AWS CLI v2 assume-role plus reading its JSON.
    const cliEnv = { ...cleanEnv(), HOME: dir, AWS_ACCESS_KEY_ID: alice.accessKeyId, AWS_SECRET_ACCESS_KEY: alice.secretAccessKey, AWS_DEFAULT_REGION: 'eu-west-1', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_EC2_METADATA_DISABLED: 'true' };
    const v2 = await time(5, async () => JSON.parse(await runCli('/usr/bin/aws', ['sts', 'assume-role', '--role-arn', roleArn, '--role-session-name', 'tutorial', '--endpoint-url', url, '--output', 'json'], cliEnv)), 1);
    row('switch', 'AWS CLI v2: aws sts assume-role + parse (the tutorial workflow)', `${ms(v2)}, ${(v2.median / ours.median).toFixed(0)}× ours`, '≥ 50× ours', v2.median >= 50 * ours.median);
    const v1 = findCliV1();
    const v1Env = { ...cleanEnv(), HOME: dir, AWS_CONFIG_FILE: paths.configPath, AWS_SHARED_CREDENTIALS_FILE: paths.credentialsPath, AWS_ENDPOINT_URL_STS: url, AWS_EC2_METADATA_DISABLED: 'true' };
    const viaProfile = await time(5, async () => {
      await fs.rm(path.join(dir, '.aws', 'cli', 'cache'), { recursive: true, force: true });
      return runCli(v1.file, [...v1.args, 'sts', 'get-caller-identity', '--profile', 'bench', '--output', 'json'], v1Env);
    }, 1);
    row('switch', `AWS CLI v1 assume-role provider (${v1.version.split(' ')[0]}, --profile)`, `${ms(viaProfile)}, ${(viaProfile.median / ours.median).toFixed(0)}× ours`);
    // Cached switches: the MFA session reused, and a role the AWS CLI cache holds.
    const mfaCache = new MfaSessionCache();
    const withMfa: ResolveDeps = { ...deps, mfaSessions: { cache: mfaCache, durationSeconds: 43200 } };
    await resolveSession(set, 'bench-mfa', withMfa);
    sts.setMfaCode(mfa.serial, '654321');
    const mfaReuse = await time(25, () => resolveSession(set, 'bench-mfa', withMfa), 2);
    row('switch', 'cached switch: MFA session reused (no code, one AssumeRole)', ms(mfaReuse), '≤ 20 ms', mfaReuse.median <= 20);
    const cacheDir = path.join(dir, 'cli-cache');
    const withCache: ResolveDeps = { ...deps, cliCache: { read: (k, now) => readCliCache(k, now, cacheDir), write: (k, r) => writeCliCache(k, r, cacheDir) } };
    await resolveSession(set, 'bench', withCache);
    const cached = await time(25, () => resolveSession(set, 'bench', { ...withCache, cliCache: { read: (k, now) => readCliCache(k, now, cacheDir) } }), 2);
    row('switch', 'cached switch: role from ~/.aws/cli/cache (no STS call)', ms(cached), '≤ 20 ms', cached.median <= 20);
    client.destroy();
  } finally {
    await sts.stop();
  }
}

function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const v = (cmd: string, args: string[]) => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n')[0];
    } catch {
      return 'not found';
    }
  };
  return [
    `- date: ${new Date().toISOString()}`,
    `- machine: ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}`,
    `- node ${process.version}; AWS CLI v2: ${v('/usr/bin/aws', ['--version'])}; code-server ${v('node', [path.join(repoRoot, '.cache/code-server/node_modules/code-server/out/node/entry.js'), '--version'])}`,
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    `- @aws-sdk/client-sts ${(require('@aws-sdk/client-sts/package.json') as { version: string }).version}, @smithy/shared-ini-file-loader ${(require('@smithy/shared-ini-file-loader/package.json') as { version: string }).version}`,
  ].join('\n');
}

async function main(): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'aws-roles-bench-'));
  await fs.mkdir(path.join(repoRoot, 'bench'), { recursive: true });
  try {
    console.log(`${'group'.padEnd(12)} ${'figure'.padEnd(58)} ${'median (min–max, runs)'.padEnd(34)} target`);
    await footprint();
    await configScale(dir);
    await switching(dir);
    if (process.env.BENCH_SKIP_VSCODE !== '1') await measureInCodeServer(repoRoot, row);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
  const table = ['| group | figure | median (min–max, runs) | target |', '|---|---|---|---|', ...rows.map((r) => `| ${r.group} | ${r.figure} | ${r.value} | ${r.target ? `${r.met ? '✅' : '❌'} ${r.target}` : ''} |`)].join('\n');
  const text = `# Benchmark results\n\n${machine()}\n\n${table}\n`;
  await fs.writeFile(path.join(repoRoot, 'bench', 'results.md'), text);
  console.log(`\nwritten to bench/results.md`);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
