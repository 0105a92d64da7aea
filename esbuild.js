// Bundles the extension. dist/extension.js is what VS Code loads at activation. Four chunks are
// required lazily, so activation never pays for them: engine.js (reading, resolving and checking
// profiles: src/core/engineChunk.ts), stsClient.js (the AWS SDK's STS client, on the first STS call),
// credentialSources.js (the SDK's credential providers, when a chain starts at one of them) and
// ssoClients.js (the SDK's IAM Identity Center clients, on the first sign-in, refresh or portal call).
// src/core/errors.ts is one module of its own (dist/errors.js) that every bundle requires, so an
// error thrown in a chunk is an instance of the class the extension checks with instanceof.
// `node esbuild.js [--production] [--watch]` builds; the benchmark requires this file for the
// same options (it builds variants with chunks bundled in, to measure what each split buys).
const path = require('node:path');

/** Output chunk name -> its entry module under src/core. */
const LAZY = { stsClient: 'credentials/stsClient', credentialSources: 'credentials/sdkCredentialSources', ssoClients: 'credentials/sso/ssoClients', engine: 'engineChunk' };

const ERRORS = path.resolve(__dirname, 'src/core/errors.ts');
const CORE_DIR = path.join(__dirname, 'src', 'core') + path.sep;

/** Every bundle requires the one shared dist/errors.js instead of carrying its own copy. */
const sharedErrorsPlugin = {
  name: 'shared-errors',
  setup(build) {
    build.onResolve({ filter: /(^|\/)errors$/ }, (args) => {
      const target = path.resolve(args.resolveDir, args.path) + '.ts';
      return target === ERRORS ? { path: './errors.js', external: true } : undefined;
    });
  },
};

/** Keeps the given lazy chunks out of the bundle: requires of their entry modules made from outside core become requires of the chunk file. */
function lazyPlugin(chunks) {
  const byEntry = Object.fromEntries(chunks.map((name) => [LAZY[name], name]));
  return {
    name: 'lazy-chunks',
    setup(build) {
      if (!chunks.length) return;
      build.onResolve({ filter: new RegExp(`core/(${chunks.map((c) => LAZY[c]).join('|')})$`) }, (args) => {
        // Core's own imports stay bundled (a chunk is built from them); only the adapters' requires become chunk files.
        if (args.importer.startsWith(CORE_DIR)) return undefined;
        const entry = args.path.slice(args.path.indexOf('core/') + 5);
        return { path: `./${byEntry[entry]}.js`, external: true };
      });
    },
  };
}

/**
 * In watch mode, the lines the "npm: watch" task in .vscode/tasks.json waits for: "started" when
 * the first of the bundles starts rebuilding, "finished" when all that started are written (the
 * extension requires errors.js and its chunks at load, so F5 must wait for every one of them).
 * Errors are printed here, as the task's problem matcher reads them: "✘ [ERROR] message", then
 * "    file:line:column:" on the next line (esbuild's own log is silenced in watch mode).
 */
function watchLogPlugins(count) {
  let running = 0;
  return Array.from({ length: count }, () => ({
    name: 'watch-log',
    setup(build) {
      build.onStart(() => {
        if (running++ === 0) console.log('[watch] build started');
      });
      build.onEnd((result) => {
        for (const { text, location } of result.errors) console.error(`✘ [ERROR] ${text}\n    ${location ? `${location.file}:${location.line}:${location.column}:` : 'esbuild.js:1:1:'}`);
        if (--running === 0) console.log('[watch] build finished');
      });
    },
  }));
}

function commonOptions(production) {
  return {
    absWorkingDir: __dirname,
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
}

/** Options for dist/extension.js; `lazy` names the chunks kept out of it (all of them when shipped). */
function extensionOptions({ production, outdir = 'dist', lazy = Object.keys(LAZY), plugins = [] }) {
  return {
    ...commonOptions(production),
    entryPoints: { extension: 'src/extension.ts' },
    outdir,
    plugins: [sharedErrorsPlugin, lazyPlugin(lazy), ...plugins],
    // Activation time is module load plus the activate() call, as VS Code counts it.
    banner: { js: 'var __awsRolesLoadStart=performance.now();' },
    footer: { js: 'var __awsRolesLoadEnd=performance.now();' },
  };
}

/** Options for every other output: the lazy chunks and the shared errors module. */
function chunkOptions({ production, outdir = 'dist' }) {
  return [
    ...Object.entries(LAZY).map(([name, entry]) => ({ ...commonOptions(production), entryPoints: { [name]: `src/core/${entry}.ts` }, outdir, plugins: [sharedErrorsPlugin] })),
    { ...commonOptions(production), entryPoints: { errors: 'src/core/errors.ts' }, outdir, plugins: [] },
  ];
}

async function main() {
  const esbuild = require('esbuild');
  const production = process.argv.includes('--production');
  const watch = process.argv.includes('--watch');
  // Stale chunks or maps from an earlier build must not end up in the package.
  require('node:fs').rmSync(path.join(__dirname, 'dist'), { recursive: true, force: true });
  const options = [extensionOptions({ production }), ...chunkOptions({ production })];
  if (watch) {
    watchLogPlugins(options.length).forEach((plugin, i) => {
      options[i].plugins.push(plugin);
      options[i].logLevel = 'silent';
    });
  }
  const contexts = await Promise.all(options.map((o) => esbuild.context(o)));
  if (watch) {
    await Promise.all(contexts.map((c) => c.watch()));
    return;
  }
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}

module.exports = { LAZY, extensionOptions, chunkOptions };

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
