// Bundles the extension. Three entry points: extension.js is what VS Code loads at
// activation; stsClient.js holds the AWS SDK's STS client and is required lazily
// on the first STS call, and credentialSources.js the SDK's credential providers
// (process, SSO, web identity, container, IMDS), required when a chain starts there.
// So the SDK stays off the activation path.
const esbuild = require('esbuild');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const LAZY = ['stsClient', 'credentialSources', 'engine'];

/** Keeps the lazily loaded SDK modules out of the main bundle. */
const lazyPlugin = {
  name: 'lazy-sdk',
  setup(build) {
    // Only requires of the core modules themselves (`../core/engine`, `./core/stsClient`...), not
    // same-named adapters such as vscode/engine.ts.
    build.onResolve({ filter: new RegExp(`core/(${LAZY.join('|')})$`) }, (args) => {
      const name = args.path.slice(args.path.lastIndexOf('/') + 1);
      if (args.importer.endsWith(`core/${name}.ts`)) return undefined;
      return { path: `./${name}.js`, external: true };
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
    esbuild.context({ ...common, entryPoints: { extension: 'src/extension.ts' }, outdir: 'dist', plugins: [lazyPlugin], banner: { js: 'var __awsRolesLoadStart=performance.now();' }, footer: { js: 'var __awsRolesLoadEnd=performance.now();' } }),
    ...LAZY.map((name) => esbuild.context({ ...common, entryPoints: { [name]: `src/core/${name}.ts` }, outdir: 'dist' })),
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
