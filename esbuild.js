// Bundles the extension. Two entry points: extension.js is what VS Code loads at
// activation; stsClient.js holds the AWS SDK's STS client and is required lazily
// on the first STS call, so the SDK stays off the activation path.
const esbuild = require('esbuild');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Keeps the lazily loaded STS module out of the main bundle. */
const lazyStsPlugin = {
  name: 'lazy-sts',
  setup(build) {
    build.onResolve({ filter: /\/stsClient$/ }, (args) => {
      if (args.importer.endsWith('stsClient.ts')) return undefined;
      return { path: './stsClient.js', external: true };
    });
  },
};

async function main() {
  // Stale chunks or maps from an earlier build must not end up in the package.
  require('node:fs').rmSync('dist', { recursive: true, force: true });
  const common = {
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    minify: production,
    sourcemap: !production,
    sourcesContent: false,
    external: ['vscode'],
    logLevel: 'warning',
    legalComments: 'none',
  };
  const contexts = await Promise.all([
    esbuild.context({ ...common, entryPoints: { extension: 'src/extension.ts' }, outdir: 'dist', plugins: [lazyStsPlugin] }),
    esbuild.context({ ...common, entryPoints: { stsClient: 'src/core/stsClient.ts' }, outdir: 'dist' }),
  ]);
  if (watch) {
    await Promise.all(contexts.map((c) => c.watch()));
    return;
  }
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
