// Bundles the extension. Three entry points: extension.js is what VS Code loads at
// activation; stsClient.js holds the AWS SDK's STS client and is required lazily
// on the first STS call, and credentialSources.js the SDK's credential providers
// (process, SSO, web identity, container, IMDS), required when a chain starts there.
// So the SDK stays off the activation path.
const esbuild = require('esbuild');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

// Output chunk name -> its entry module under src/core.
// core/errors is one module of its own (dist/errors.js) that every bundle requires, so an error
// thrown in a chunk is an instance of the same class the extension checks with instanceof.
const LAZY = { stsClient: 'credentials/stsClient', credentialSources: 'credentials/sdkCredentialSources', engine: 'engineChunk' };

/** Keeps the lazily loaded SDK modules out of the main bundle. */
const ERRORS = require('node:path').resolve(__dirname, 'src/core/errors.ts');

/** Every bundle requires the one shared dist/errors.js instead of carrying its own copy. */
const sharedErrorsPlugin = {
  name: 'shared-errors',
  setup(build) {
    build.onResolve({ filter: /(^|\/)errors$/ }, (args) => {
      const target = require('node:path').resolve(args.resolveDir, args.path) + '.ts';
      return target === ERRORS ? { path: './errors.js', external: true } : undefined;
    });
  },
};

const lazyPlugin = {
  name: 'lazy-sdk',
  setup(build) {
    // Only requires of the core entry modules themselves (`../core/engineChunk`,
    // `../core/credentials/stsClient`...), made from outside core.
    const byEntry = Object.fromEntries(Object.entries(LAZY).map(([name, entry]) => [entry, name]));
    build.onResolve({ filter: new RegExp(`core/(${Object.values(LAZY).join('|')})$`) }, (args) => {
      if (args.importer.includes(`${require('node:path').sep}core${require('node:path').sep}`)) return undefined;
      const entry = args.path.slice(args.path.indexOf('core/') + 5);
      return { path: `./${byEntry[entry]}.js`, external: true };
    });
  },
};

/** In watch mode, the lines the "npm: watch" task in .vscode/tasks.json waits for, and errors its problem matcher reads. */
const watchLogPlugin = {
  name: 'watch-log',
  setup(build) {
    build.onStart(() => console.log('[watch] build started'));
    build.onEnd((result) => {
      for (const { text, location } of result.errors) console.error(`✘ [ERROR] ${text}${location ? `\n    ${location.file}:${location.line}:${location.column}:` : ''}`);
      console.log('[watch] build finished');
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
    esbuild.context({ ...common, entryPoints: { extension: 'src/extension.ts' }, outdir: 'dist', plugins: [sharedErrorsPlugin, lazyPlugin, ...(watch ? [watchLogPlugin] : [])], banner: { js: 'var __awsRolesLoadStart=performance.now();' }, footer: { js: 'var __awsRolesLoadEnd=performance.now();' } }),
    ...Object.entries(LAZY).map(([name, entry]) => esbuild.context({ ...common, entryPoints: { [name]: `src/core/${entry}.ts` }, outdir: 'dist', plugins: [sharedErrorsPlugin] })),
    esbuild.context({ ...common, entryPoints: { errors: 'src/core/errors.ts' }, outdir: 'dist' }),
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
