// What the lazily required chunks buy (dist/engine.js, dist/stsClient.js, dist/credentialSources.js, dist/ssoClients.js):
// the time to require each in a fresh Node process, and the extension bundle built with the engine
// (or every chunk) bundled in, measured the same way and handed to the code-server part as a variant.
// As a child process (`node benchChunks.js --require-time FILE BUILTIN...`) it times one require.
import { execFile } from 'node:child_process';
import { promises as fs, readFileSync, statSync } from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import type * as esbuild from 'esbuild';
import { kb, ms, relativeSpread, signed, stats, threadCpuMs, type RowFn, type Stat } from './benchStats';

// esbuild.js exports the options it builds with, so the variants differ from dist/ only in which chunks are bundled in.
interface EsbuildConfig {
  LAZY: Record<'stsClient' | 'credentialSources' | 'ssoClients' | 'engine', string>;
  extensionOptions(o: { production: boolean; outdir?: string; lazy?: Chunk[] }): esbuild.BuildOptions;
}
type Chunk = 'stsClient' | 'credentialSources' | 'ssoClients' | 'engine';

/** dist/extension.js as `node esbuild.js --production` builds it, with only `lazy` left as separate chunks. */
async function buildExtension(repoRoot: string, outdir: string, lazy: Chunk[]): Promise<string> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { build } = require('esbuild') as typeof esbuild;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const config = require(path.join(repoRoot, 'esbuild.js')) as EsbuildConfig;
  await build(config.extensionOptions({ production: true, outdir, lazy }));
  return path.join(outdir, 'extension.js');
}

export interface ChunkFigures {
  /** dist folders for the code-server part: as shipped, and with the engine bundled into extension.js. */
  dist: { split: string; engineBundled: string };
  /** Require time in a fresh Node process, by file label. */
  require: Record<'extension' | 'extensionEngineBundled' | 'extensionAllBundled' | Chunk, Stat>;
  /** Per round: require time of the variant minus the shipped extension.js. */
  engineBundledExtra: Stat;
  allBundledExtra: Stat;
  bytes: Record<'extension' | 'extensionEngineBundled' | 'extensionAllBundled' | Chunk, number>;
  /** False when the as-shipped variant built here differs from dist/extension.js (esbuild.js changed). */
  replicaMatches: boolean;
}

function run(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => execFile(file, args, { encoding: 'utf8', timeout: 60_000 }, (e, out, err) => (e ? reject(new Error(`${args.join(' ')}: ${err}`)) : resolve(out))));
}

/**
 * Builds the variants, then requires every file in fresh Node processes, in rounds (each round
 * requires each file once), until every median is within ±5 % (11 to 51 rounds). Node's built-in
 * modules the chunks use are loaded first: the extension host has them loaded already. The time
 * is the main thread's CPU time (what the extension host's one thread spends), not wall time.
 */
export async function measureChunks(repoRoot: string, dir: string, row: RowFn): Promise<ChunkFigures> {
  const dist = path.join(repoRoot, 'dist');
  const splitDir = path.join(dir, 'dist-split');
  const engineDir = path.join(dir, 'dist-engine-bundled');
  const allDir = path.join(dir, 'dist-all-bundled');
  for (const d of [splitDir, engineDir, allDir]) await fs.mkdir(d, { recursive: true });
  // errors.js is shared by every bundle, so each variant needs it next to its extension.js.
  for (const f of ['extension.js', 'engine.js', 'stsClient.js', 'credentialSources.js', 'ssoClients.js', 'errors.js']) await fs.copyFile(path.join(dist, f), path.join(splitDir, f));
  for (const f of ['stsClient.js', 'credentialSources.js', 'ssoClients.js', 'errors.js']) await fs.copyFile(path.join(dist, f), path.join(engineDir, f));
  await fs.copyFile(path.join(dist, 'errors.js'), path.join(allDir, 'errors.js'));
  const replica = await buildExtension(repoRoot, path.join(dir, 'replica'), ['stsClient', 'credentialSources', 'ssoClients', 'engine']);
  const replicaMatches = readFileSync(replica).equals(readFileSync(path.join(dist, 'extension.js')));
  await buildExtension(repoRoot, engineDir, ['stsClient', 'credentialSources', 'ssoClients']);
  await buildExtension(repoRoot, allDir, []);

  const files = {
    extension: path.join(splitDir, 'extension.js'),
    extensionEngineBundled: path.join(engineDir, 'extension.js'),
    extensionAllBundled: path.join(allDir, 'extension.js'),
    engine: path.join(splitDir, 'engine.js'),
    stsClient: path.join(splitDir, 'stsClient.js'),
    credentialSources: path.join(splitDir, 'credentialSources.js'),
    ssoClients: path.join(splitDir, 'ssoClients.js'),
  };
  const labels = Object.keys(files) as (keyof typeof files)[];
  const builtins = [...new Set(labels.flatMap((l) => [...readFileSync(files[l], 'utf8').matchAll(/require\("(node:[a-z_/]+)"\)/g)].map((m) => m[1])))];
  const samples = Object.fromEntries(labels.map((l) => [l, [] as number[]])) as Record<keyof typeof files, number[]>;
  for (let round = 0; round < 51; round++) {
    // Rotate the order so no file always runs right after another.
    for (let i = 0; i < labels.length; i++) {
      const l = labels[(i + round) % labels.length];
      const out = await run(process.execPath, [__filename, '--require-time', files[l], ...builtins]);
      samples[l].push(Number(out));
    }
    if (round + 1 >= 11 && labels.every((l) => relativeSpread(stats(samples[l])) <= 0.05)) break;
  }
  const req = Object.fromEntries(labels.map((l) => [l, stats(samples[l])])) as ChunkFigures['require'];
  // Differences per round (the two files required back to back), so load bursts cancel.
  const extra = (l: keyof typeof files) => stats(samples[l].map((v, i) => v - samples.extension[i]));
  const engineBundledExtra = extra('extensionEngineBundled');
  const allBundledExtra = extra('extensionAllBundled');
  const bytes = Object.fromEntries(labels.map((l) => [l, statSync(files[l]).size])) as ChunkFigures['bytes'];

  const what = 'require in a fresh Node process (read, compile, evaluate; CPU time)';
  if (!replicaMatches) row('lazy chunks', 'WARNING: dist/ is not the production build (run node esbuild.js --production first)', 'bundled variants may not match dist/');
  row('lazy chunks', `dist/extension.js as shipped (${kb(bytes.extension)}): ${what}`, ms(req.extension));
  row('lazy chunks', `dist/engine.js (${kb(bytes.engine)}): ${what}`, ms(req.engine));
  row('lazy chunks', `dist/stsClient.js (${kb(bytes.stsClient)}): ${what}`, ms(req.stsClient));
  row('lazy chunks', `dist/credentialSources.js (${kb(bytes.credentialSources)}): ${what}`, ms(req.credentialSources));
  row('lazy chunks', `dist/ssoClients.js (${kb(bytes.ssoClients)}): ${what}`, ms(req.ssoClients));
  const delta = (d: Stat) => `${signed(d.median)} vs shipped (per round, ${signed(d.ci[0])} to ${signed(d.ci[1])})`;
  row('lazy chunks', `variant: extension.js with the engine bundled in (${kb(bytes.extensionEngineBundled)}): ${what}`, `${ms(req.extensionEngineBundled)}; ${delta(engineBundledExtra)}`);
  row('lazy chunks', `variant: extension.js with every chunk bundled in (${kb(bytes.extensionAllBundled)}): ${what}`, `${ms(req.extensionAllBundled)}; ${delta(allBundledExtra)}`);
  return { dist: { split: splitDir, engineBundled: engineDir }, require: req, engineBundledExtra, allBundledExtra, bytes, replicaMatches };
}

/** The child: loads the given built-in modules, a stand-in for `vscode`, then times one require. */
function requireTimeChild(file: string, builtins: string[]): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  for (const b of builtins) require(b);
  // Every value exported by the vscode API (from its typings) as a proxy that absorbs any use:
  // the bundle only reads enum members and extends classes while it is evaluated.
  const absorb: object = new Proxy(function () {}, {
    get: (_t, key) => (key === 'then' ? undefined : key === 'prototype' ? {} : absorb),
    apply: () => absorb,
    construct: () => absorb,
  });
  const typings = readFileSync(path.join(path.dirname(require.resolve('@types/vscode/package.json')), 'index.d.ts'), 'utf8');
  const vscode = Object.fromEntries([...typings.matchAll(/export (?:declare )?(?:class|enum|namespace|function|const|let|var) (\w+)/g)].map((m) => [m[1], absorb]));
  const loader = Module as unknown as { _load(request: string, ...rest: unknown[]): unknown };
  const load = loader._load;
  loader._load = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? vscode : load.call(this, request, ...rest);
  };
  const t = threadCpuMs();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(file);
  process.stdout.write(String(threadCpuMs() - t));
}

if (require.main === module && process.argv[2] === '--require-time') requireTimeChild(process.argv[3], process.argv.slice(4));
