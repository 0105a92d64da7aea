// `npm run bench`: speed and footprint figures, printed as one table and written to
// bench/results.md with the machine, versions and date. Not a test: nothing here passes or fails.
// Every target is a ratio to a reference measured in the same run (the SDK's own ini parse, the
// bare STS round trip, an empty extension in the same extension host, a shorter chain, the floor a
// portal's rate limit sets, the bare GetRoleCredentials and GetCallerIdentity calls), so it
// holds on a slower or busier machine; medians are sampled until their 95 % interval is narrow.
import { execFile, execFileSync } from 'node:child_process';
import { promises as fs, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { loadAwsFiles } from '../src/core/config/sharedFiles';
import { readCliCache, writeCliCache } from '../src/core/credentials/cliCache';
import { systemClock } from '../src/core/clock';
import { MfaSessionCache } from '../src/core/credentials/mfaSessions';
import { buildProfileSet, type ProfileSet } from '../src/core/config/profiles';
import { resolveSession, type ResolveDeps } from '../src/core/session/resolveSession';
import { createStsApi } from '../src/core/credentials/stsClient';
import { buildProfileGroups } from '../src/core/config/profileGroups';
import { resolveSourceChain } from '../src/core/config/sourceChain';
import { RoleSwitchError } from '../src/core/errors';
import { cleanEnv, findCliV1 } from '../test/support/awsCliV1';
import { LoopbackSts } from '../test/support/loopbackSts';
import { generateIdentityCenterConfig } from '../test/support/generateConfig';
import { measureChunks, type ChunkFigures } from './benchChunks';
import { measureIdentityCenter } from './benchIdentityCenter';
import { kb, ms, signed, time, timePaired, times, us, type RowFn, type Stat } from './benchStats';
import { measureInCodeServer, type VscodeFigures } from './benchVscode';

const repoRoot = path.resolve(__dirname, '..', '..');

/**
 * Ratio targets, each against a reference measured in the same run. The last run with absolute
 * targets is bench/results.md of 2026-12-01; where a target is new or tighter, it says why.
 */
const TARGETS = {
  /** Our read + classify + tree model of 5,000 profiles / the SDK loader's parse of the same files: "≤ 100 ms" was 100 / 17.1 ms ≈ 6×. */
  configVsSdkParse: 6,
  /** Our switch / the bare AssumeRole. "≤ bare + 5 ms" allowed 4× a 1.6 ms round trip; ours is about 1×, so 1.5× keeps "adds little to STS". */
  switchVsBareSts: 1.5,
  /** Reusing the MFA session makes exactly one AssumeRole, like the bare round trip ("≤ 20 ms" was 12× it). */
  mfaReuseVsBareSts: 1.5,
  /** A switch served from the AWS CLI cache makes no STS call: well under one round trip ("≤ 20 ms" was 12× it). */
  cliCacheVsBareSts: 0.5,
  /** New: per hop, a 1,000-deep chain (or cycle) / a 100-deep one: resolving stays linear in the depth. */
  deepChainPerHop: 2,
  /** The AWS CLI v2 workflow against our switch (unchanged: already a ratio). */
  cliV2VsOurs: 50,
  /** New: a lazy split pays when what it keeps out of activation is at least this share of activation. */
  splitPays: 0.1,
};

interface Row {
  group: string;
  figure: string;
  value: string;
  target?: string;
  met?: boolean;
}

const rows: Row[] = [];
const row: RowFn = (group, figure, value, target, met) => {
  rows.push({ group, figure, value, target, met });
  console.log(`${group.padEnd(12)} ${figure.padEnd(58)} ${value.padEnd(34)} ${target ? `${met ? 'ok ' : 'MISS'} ${target}` : ''}`);
};
const ratioCell = (paired: { ratio: Stat }, reference: string) => `${times(paired.ratio)} ${reference}`;

function runCli(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => execFile(file, args, { env, encoding: 'utf8', timeout: 60_000 }, (e, out, err) => (e ? reject(new Error(`${file} ${args.join(' ')}: ${err}`)) : resolve(out))));
}

async function footprint(): Promise<void> {
  execFileSync('node', ['esbuild.js', '--production'], { cwd: repoRoot, stdio: 'inherit' });
  for (const f of ['extension.js', 'engine.js', 'stsClient.js', 'credentialSources.js', 'ssoClients.js']) {
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
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdkLoader = require('@smithy/shared-ini-file-loader') as typeof import('@smithy/shared-ini-file-loader');
  const credentialsPath = path.join(dir, 'credentials-none');
  for (const n of [100, 1000, 5000]) {
    const generated = generateIdentityCenterConfig(n);
    const paths = { configPath: path.join(dir, `config-${n}`), credentialsPath };
    await fs.writeFile(paths.configPath, generated.text);
    const load = () => loadAwsFiles(paths).then((files) => buildProfileGroups(buildProfileSet(files)));
    if (n < 5000) {
      row('config', `${n} profiles: read + classify + tree model`, ms(await time(load, { warmup: 2 })));
      continue;
    }
    // The reference: the maintained SDK loader (which ours calls) parsing the same two files.
    const sdkParse = () => sdkLoader.loadSharedConfigFiles({ configFilepath: paths.configPath, filepath: credentialsPath, ignoreCache: true });
    const full = await timePaired(sdkParse, load, { warmup: 2 });
    row('config', '5000 profiles: @smithy/shared-ini-file-loader parse of the same files (reference)', ms(full.reference));
    row('config', `5000 profiles: read + classify + tree model`, `${ms(full.subject)}; ${ratioCell(full, 'the SDK parse')}`, `≤ ${TARGETS.configVsSdkParse}× the SDK parse`, full.ratio.median <= TARGETS.configVsSdkParse);
    let flip = false;
    const edit = async () => {
      flip = !flip;
      await fs.writeFile(paths.configPath, generated.text.replace('region = us-east-1', flip ? 'region = eu-west-1' : 'region = us-east-1'));
    };
    const edited = await timePaired(
      async () => (await edit(), sdkParse()),
      async () => (await edit(), load()),
    );
    row('config', '5000 profiles: re-read after a one-line edit (write + read)', `${ms(edited.subject)}; ${ratioCell(edited, 'the SDK (write + parse)')}`, `≤ ${TARGETS.configVsSdkParse}× the SDK (write + parse)`, edited.ratio.median <= TARGETS.configVsSdkParse);
    const set = buildProfileSet(await loadAwsFiles(paths));
    row('config', '5000 profiles: filter the tree model', ms(await time(() => buildProfileGroups(set, generated.sample.accountId.slice(0, 8)))));
  }
  // The frozen @aws-sdk/shared-ini-file-loader 3.374 (which re-exports @smithy 1.x) against the maintained one.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const oldLoader = require('aws-sdk-ini-loader-3374') as typeof import('@smithy/shared-ini-file-loader');
  for (const size of [2000, 5000]) {
    const p = path.join(dir, `loader-${size}`);
    await fs.writeFile(p, generateIdentityCenterConfig(size).text);
    const init = { configFilepath: p, filepath: path.join(dir, 'none'), ignoreCache: true };
    const current = await time(() => sdkLoader.loadSharedConfigFiles(init));
    const frozen = await time(() => oldLoader.loadSharedConfigFiles(init), { min: 3, max: 3 });
    row('ini loader', `${size} profiles: @smithy/shared-ini-file-loader 4.x`, ms(current));
    row('ini loader', `${size} profiles: @aws-sdk/shared-ini-file-loader 3.374`, `${ms(frozen)}, ${(frozen.median / current.median).toFixed(1)}× slower`);
  }
}

/** A `depth`-deep source_profile chain (d0 -> d1 -> ... -> keys), or with `cycle` a loop back to c0, as the property tests build them. */
async function chainSet(dir: string, depth: number, cycle: boolean): Promise<ProfileSet> {
  const text = cycle
    ? Array.from({ length: depth }, (_, i) => `[profile c${i}]\nrole_arn = arn:aws:iam::222222222222:role/C${i}\nsource_profile = c${(i + 1) % depth}\n`).join('\n')
    : Array.from({ length: depth }, (_, i) => `[profile d${i}]\nrole_arn = arn:aws:iam::222222222222:role/D${i}\nsource_profile = d${i + 1}\n`).join('\n') + `[profile d${depth}]\naws_access_key_id = AKIA\naws_secret_access_key = s\n`;
  const paths = { configPath: path.join(dir, `chain-${cycle ? 'cycle' : 'deep'}-${depth}`), credentialsPath: path.join(dir, 'credentials-none') };
  await fs.writeFile(paths.configPath, text);
  return buildProfileSet(await loadAwsFiles(paths));
}

/** resolveSourceChain over a thousand-deep chain and a thousand-long cycle, per hop against a 100-deep one. */
async function sourceChains(dir: string): Promise<void> {
  for (const cycle of [false, true]) {
    const [short, long] = [await chainSet(dir, 100, cycle), await chainSet(dir, 1000, cycle)];
    const start = cycle ? 'c0' : 'd0';
    const resolve = (set: ProfileSet, depth: number) => {
      try {
        const chain = resolveSourceChain(set, start);
        if (cycle || chain.hops.length !== depth) throw new Error(`expected ${depth} hops, got ${chain.hops.length}`);
      } catch (e) {
        if (!cycle || !(e instanceof RoleSwitchError) || e.code !== 'SourceProfileCycle') throw e;
      }
    };
    // The same 10,000 hops either way: 100 chains of 100, or 10 of 1,000.
    const perHop = await timePaired(
      () => {
        for (let i = 0; i < 100; i++) resolve(short, 100);
      },
      () => {
        for (let i = 0; i < 10; i++) resolve(long, 1000);
      },
      { warmup: 3 },
    );
    const s = perHop.subject;
    const one: Stat = { ...s, median: s.median / 10, min: s.min / 10, max: s.max / 10, ci: [s.ci[0] / 10, s.ci[1] / 10] };
    const hopNs = (s.median / 10_000) * 1e6;
    const what = cycle ? 'a 1,000-long source_profile cycle found and reported' : 'a 1,000-deep source_profile chain resolved';
    const reference = cycle ? 'per hop of a 100-long one' : 'per hop of a 100-deep one';
    row('config', `${what} (resolveSourceChain)`, `${us(one)}; ${hopNs.toFixed(0)} ns per hop, ${ratioCell(perHop, reference)}`, `≤ ${TARGETS.deepChainPerHop}× ${reference}`, perHop.ratio.median <= TARGETS.deepChainPerHop);
  }
}

async function switching(dir: string): Promise<void> {
  const alice = { arn: 'arn:aws:iam::111111111111:user/alice', accessKeyId: 'AKIABENCHALICE000001', secretAccessKey: 'bench-alice-secret-000000000000000000001' };
  const roleArn = 'arn:aws:iam::222222222222:role/Bench';
  const mfa = { serial: 'arn:aws:iam::111111111111:mfa/alice', userArn: alice.arn, code: '123456' };
  const sts = new LoopbackSts({ users: [alice], roles: [{ arn: roleArn, trustedPrincipals: [alice.arn] }, { arn: `${roleArn}Mfa`, trustedPrincipals: [alice.arn], requireMfa: true }], mfaDevices: [mfa] });
  const { url } = await sts.start();
  try {
    const paths = { configPath: path.join(dir, 'switch-config'), credentialsPath: path.join(dir, 'switch-credentials') };
    await fs.writeFile(paths.configPath, `[profile bench]\nrole_arn = ${roleArn}\nsource_profile = base\nregion = eu-west-1\n\n[profile bench-mfa]\nrole_arn = ${roleArn}Mfa\nsource_profile = base\nmfa_serial = ${mfa.serial}\nregion = eu-west-1\n`);
    await fs.writeFile(paths.credentialsPath, `[base]\naws_access_key_id = ${alice.accessKeyId}\naws_secret_access_key = ${alice.secretAccessKey}\n`);
    const set = buildProfileSet(await loadAwsFiles(paths));
    // The reference: the bare STS round trip, a warm SDK client in this process.
    const client = new STSClient({ endpoint: url, region: 'eu-west-1', credentials: alice, maxAttempts: 1 });
    let n = 0;
    const bare = () => client.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: `bench-${n++}` }));
    const stsApi = createStsApi({ requestTimeoutMs: 5000, maxAttempts: 1 });
    const deps: ResolveDeps = { loadSts: async () => stsApi, mfaCode: async () => mfa.code, clock: systemClock, env: { AWS_ENDPOINT_URL_STS: url }, sessionName: () => 'bench' };
    const ours = await timePaired(bare, () => resolveSession(set, 'bench', deps), { warmup: 3 });
    row('switch', 'bare STS AssumeRole round trip (warm @aws-sdk/client-sts, reference)', ms(ours.reference));
    row('switch', 'our switch (resolve the profile, AssumeRole, build the session)', `${ms(ours.subject)}; ${ratioCell(ours, 'bare STS')}`, `≤ ${TARGETS.switchVsBareSts}× bare STS`, ours.ratio.median <= TARGETS.switchVsBareSts);
    // The tutorial workflow: the AWS CLI v2 assume-role plus reading its JSON.
    const cliEnv = { ...cleanEnv(), HOME: dir, AWS_ACCESS_KEY_ID: alice.accessKeyId, AWS_SECRET_ACCESS_KEY: alice.secretAccessKey, AWS_DEFAULT_REGION: 'eu-west-1', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_EC2_METADATA_DISABLED: 'true' };
    const v2 = await time(async () => JSON.parse(await runCli('/usr/bin/aws', ['sts', 'assume-role', '--role-arn', roleArn, '--role-session-name', 'tutorial', '--endpoint-url', url, '--output', 'json'], cliEnv)), { min: 5, max: 9 });
    const v2Ratio = v2.median / ours.subject.median;
    row('switch', 'AWS CLI v2: aws sts assume-role + parse (the tutorial workflow)', `${ms(v2)}; ${v2Ratio.toFixed(0)}× ours`, `≥ ${TARGETS.cliV2VsOurs}× ours`, v2Ratio >= TARGETS.cliV2VsOurs);
    const v1 = findCliV1();
    const v1Env = { ...cleanEnv(), HOME: dir, AWS_CONFIG_FILE: paths.configPath, AWS_SHARED_CREDENTIALS_FILE: paths.credentialsPath, AWS_ENDPOINT_URL_STS: url, AWS_EC2_METADATA_DISABLED: 'true' };
    const viaProfile = await time(async () => {
      await fs.rm(path.join(dir, '.aws', 'cli', 'cache'), { recursive: true, force: true });
      return runCli(v1.file, [...v1.args, 'sts', 'get-caller-identity', '--profile', 'bench', '--output', 'json'], v1Env);
    }, { min: 5, max: 9 });
    row('switch', `AWS CLI v1 assume-role provider (${v1.version.split(' ')[0]}, --profile)`, `${ms(viaProfile)}; ${(viaProfile.median / ours.subject.median).toFixed(0)}× ours`);
    // Cached switches: the MFA session reused, and a role the AWS CLI cache holds.
    const mfaCache = new MfaSessionCache();
    const withMfa: ResolveDeps = { ...deps, mfaSessions: { cache: mfaCache, durationSeconds: 43200 } };
    await resolveSession(set, 'bench-mfa', withMfa);
    sts.setMfaCode(mfa.serial, '654321');
    const mfaReuse = await timePaired(bare, () => resolveSession(set, 'bench-mfa', withMfa), { warmup: 2 });
    row('switch', 'cached switch: MFA session reused (no code, one AssumeRole)', `${ms(mfaReuse.subject)}; ${ratioCell(mfaReuse, 'bare STS')}`, `≤ ${TARGETS.mfaReuseVsBareSts}× bare STS`, mfaReuse.ratio.median <= TARGETS.mfaReuseVsBareSts);
    const cacheDir = path.join(dir, 'cli-cache');
    const withCache: ResolveDeps = { ...deps, cliCache: { read: (k, now) => readCliCache(k, now, cacheDir), write: (k, r) => writeCliCache(k, r, cacheDir) } };
    await resolveSession(set, 'bench', withCache);
    const readOnly: ResolveDeps = { ...withCache, cliCache: { read: (k, now) => readCliCache(k, now, cacheDir) } };
    const cached = await timePaired(bare, () => resolveSession(set, 'bench', readOnly), { warmup: 2 });
    row('switch', 'cached switch: role from ~/.aws/cli/cache (no STS call)', `${ms(cached.subject)}; ${ratioCell(cached, 'bare STS')}`, `≤ ${TARGETS.cliCacheVsBareSts}× bare STS`, cached.ratio.median <= TARGETS.cliCacheVsBareSts);
    client.destroy();
  } finally {
    await sts.stop();
  }
}

/**
 * Which lazy split pays: what each keeps out of activation (CPU time of requiring it in a fresh
 * Node process, the precise measure) against activation itself (host CPU time of ext.activate()
 * when code-server ran; else the shipped bundle's require time in Node).
 */
function lazySplits(chunks: ChunkFigures, vscode: VscodeFigures | undefined): void {
  const r = chunks.require;
  const activation = vscode ? vscode.activate.split.cpu.median : r.extension.median;
  const of = vscode ? `of activation (${activation.toFixed(1)} ms host CPU)` : `of the bundle's require (${activation.toFixed(1)} ms CPU)`;
  const share = (saved: number) => `${((saved / activation) * 100).toFixed(0)} % ${of}`;
  const pays = (saved: number) => saved >= TARGETS.splitPays * activation;
  const target = `pays if it saves ≥ ${TARGETS.splitPays * 100} % of activation`;
  const f = (n: number) => `${n.toFixed(1)} ms`;

  // engine.js: the shipped bundle against the one with the engine bundled in.
  const e = chunks.engineBundledExtra;
  const inHost = vscode ? `; in the host ${signed(vscode.engineBundledExtraCpu.median)} (per pair ${signed(vscode.engineBundledExtraCpu.ci[0])} to ${signed(vscode.engineBundledExtraCpu.ci[1])})` : '';
  row('lazy split', `engine.js (${kb(chunks.bytes.engine)}) kept out of activation`, `saves ${f(e.median)} CPU (${signed(e.ci[0])} to ${signed(e.ci[1])}), ${share(e.median)}${inHost}; requiring it on first use costs ${f(r.engine.median)}`, target, pays(e.median));
  // The SDK chunks: bundled in, activation would pay at least their own require time.
  for (const chunk of ['stsClient', 'credentialSources'] as const) {
    const cost = r[chunk].median;
    const when =
      chunk === 'stsClient'
        ? `paid at the first STS call${vscode ? ` (first switch ${f(vscode.firstSwitch.split.cpu.median)} host CPU against ${f(vscode.warmSwitch.cpu.median)} warm)` : ''}`
        : 'paid only by chains from credential_process, SSO, web identity, IMDS or ECS';
    row('lazy split', `${chunk}.js (${kb(chunks.bytes[chunk])}) kept out of activation`, `saves ${f(cost)} CPU, ${share(cost)}; ${when}`, target, pays(cost));
  }
  row('lazy split', 'all three bundled into extension.js instead', `+${f(chunks.allBundledExtra.median)} CPU to require it, ${share(chunks.allBundledExtra.median)}`);
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
    `- @aws-sdk/client-sts ${(require('@aws-sdk/client-sts/package.json') as { version: string }).version}, @aws-sdk/client-sso ${(require('@aws-sdk/client-sso/package.json') as { version: string }).version}, @smithy/shared-ini-file-loader ${(require('@smithy/shared-ini-file-loader/package.json') as { version: string }).version}`,
  ].join('\n');
}

async function main(): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'aws-roles-bench-'));
  await fs.mkdir(path.join(repoRoot, 'bench'), { recursive: true });
  const loadBefore = os.loadavg();
  try {
    console.log(`${'group'.padEnd(12)} ${'figure'.padEnd(58)} ${'median ±95% CI (min–max, runs)'.padEnd(34)} target`);
    await footprint();
    await configScale(dir);
    await sourceChains(dir);
    await switching(dir);
    await measureIdentityCenter(dir, row);
    const chunks = await measureChunks(repoRoot, dir, row);
    const vscode = process.env.BENCH_SKIP_VSCODE === '1' ? undefined : await measureInCodeServer(repoRoot, row, { dist: chunks.dist });
    lazySplits(chunks, vscode);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
  const load = `- load average (1, 5, 15 min) at start ${loadBefore.map((l) => l.toFixed(1)).join(', ')}, at end ${os.loadavg().map((l) => l.toFixed(1)).join(', ')}`;
  // The file groups rows by topic (the console shows them as they were measured).
  const order = ['footprint', 'config', 'ini loader', 'switch', 'sso', 'activation', 'idle', 'lazy chunks', 'lazy split'];
  const sorted = rows.map((r, i) => ({ r, i })).sort((a, b) => order.indexOf(a.r.group) - order.indexOf(b.r.group) || a.i - b.i).map(({ r }) => r);
  const table = ['| group | figure | median ±95% CI (min–max, runs) | target |', '|---|---|---|---|', ...sorted.map((r) => `| ${r.group} | ${r.figure} | ${r.value} | ${r.target ? `${r.met ? '✅' : '❌'} ${r.target}` : ''} |`)].join('\n');
  const text = `# Benchmark results\n\n${machine()}\n${load}\n\n${table}\n`;
  await fs.writeFile(path.join(repoRoot, 'bench', 'results.md'), text);
  console.log(`\nwritten to bench/results.md`);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
