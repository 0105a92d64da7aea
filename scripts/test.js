#!/usr/bin/env node
// `npm test`: installs the test VS Code and tools if missing, builds, then runs the unit,
// integration (inside code-server) and UI end-to-end suites, and ends with one line
// "N passed, N failed" over all of them.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const results = [];

function run(label, command, args, { counts = false, env = {} } = {}) {
  console.log(`\n=== ${label} ===`);
  const res = spawnSync(command, args, { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 256 * 1024 * 1024 });
  process.stdout.write(res.stdout ?? '');
  const ok = res.status === 0;
  if (counts) {
    const out = res.stdout ?? '';
    const last = (re) => {
      const all = [...out.matchAll(re)];
      return all.length ? Number(all[all.length - 1][1]) : 0;
    };
    let passed = last(/^\s*(\d+) passing\b/gm);
    let failed = last(/^\s*(\d+) failing\b/gm);
    const summary = [...out.matchAll(/^\w+: (\d+) passed, (\d+) failed/gm)].pop();
    if (summary) {
      passed = Number(summary[1]);
      failed = Number(summary[2]);
    }
    // A suite that crashed or ran nothing is a failure, never a silent pass.
    if (!ok && failed === 0) failed = 1;
    if (ok && passed === 0) failed += 1;
    results.push({ label, passed, failed });
  } else if (!ok) {
    results.push({ label, passed: 0, failed: 1 });
  }
  return ok;
}

function main() {
  const skipInstall = process.env.SKIP_TEST_DEPS_INSTALL === '1';
  if (!skipInstall && !run('install test dependencies', 'bash', ['scripts/install-test-deps.sh'])) return finish();
  if (!run('build', 'node', ['esbuild.js'])) return finish();
  if (!run('type check and compile tests', 'npx', ['tsc', '-p', '.'])) return finish();
  run('lint', 'npx', ['eslint', 'src', 'test', 'scripts']);
  const only = process.env.TEST_ONLY; // unit | integration | e2e
  if (!only || only === 'unit') run('unit tests', 'npx', ['mocha', '--reporter', 'spec', 'out/test/unit/**/*.test.js', 'out/test/conformance/**/*.test.js'], { counts: true });
  if (!only || only === 'integration') run('integration tests (code-server)', 'node', ['out/test/integration/run.js'], { counts: true });
  if (!only || only === 'e2e') run('UI end-to-end tests (code-server + chromium)', 'npx', ['mocha', '--reporter', 'spec', '--timeout', '180000', 'out/test/e2e/**/*.test.js'], { counts: true });
  if (!only) checkPackage();
  return finish();
}

/** `npm run package` must build a .vsix holding the bundle and its lazily loaded STS chunk. */
function checkPackage() {
  if (!run('package (.vsix)', 'npm', ['run', 'package'])) return;
  const vsix = path.join(root, 'aws-role-switcher.vsix');
  const listing = spawnSync('unzip', ['-Z1', vsix], { encoding: 'utf8' }).stdout ?? '';
  const needed = ['extension/package.json', 'extension/dist/extension.js', 'extension/dist/stsClient.js', 'extension/dist/credentialSources.js', 'extension/dist/engine.js', 'extension/media/aws-roles.svg', 'extension/readme.md'];
  const missing = needed.filter((f) => !listing.split('\n').includes(f));
  const leaked = listing.split('\n').filter((f) => /\.map$|^extension\/(src|test|node_modules|out)\//.test(f));
  if (missing.length || leaked.length) {
    console.log(`vsix: missing ${missing.join(', ') || 'nothing'}; should not contain ${leaked.join(', ') || 'nothing'}`);
    results.push({ label: 'package contents', passed: 0, failed: 1 });
  } else {
    console.log(`vsix: ${listing.trim().split('\n').length} files, ${(require('node:fs').statSync(vsix).size / 1024).toFixed(0)} KB`);
    results.push({ label: 'package contents', passed: 1, failed: 0 });
  }
}

function finish() {
  console.log('\n=== summary ===');
  for (const r of results) console.log(`${r.label}: ${r.passed} passed, ${r.failed} failed`);
  const passed = results.reduce((n, r) => n + r.passed, 0);
  const failed = results.reduce((n, r) => n + r.failed, 0);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}

main();
