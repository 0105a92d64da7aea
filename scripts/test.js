#!/usr/bin/env node
// `npm test`: installs the test VS Code and tools if missing, builds, then runs the test stages
// one after the other and ends with one line "N passed, N failed" over all of them:
//   unit         test/unit: plain-Node mocha over src/core (needs nothing but `npm ci`)
//   conformance  test/conformance: the same rules against the AWS CLI v1/v2, botocore and moto
//   integration  test/integration: mocha suites inside code-server's real extension host
//   e2e          test/e2e: the UI driven in Chromium
// Switches (environment variables):
//   TEST_ONLY=unit|conformance|integration|e2e   run only these stages (comma-separated list);
//                                                 the .vsix packaging check runs only without it
//   MOCHA_GREP=pattern                            run only the tests whose full title matches, in every stage
//   SKIP_TEST_DEPS_INSTALL=1                      do not run scripts/install-test-deps.sh first
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const results = [];
const grep = process.env.MOCHA_GREP || undefined;

const mocha = (glob, extra = []) => ['mocha', '--reporter', 'spec', ...extra, ...(grep ? ['--grep', grep] : []), glob];
const STAGES = {
  unit: { label: 'unit tests (plain Node)', command: 'npx', args: mocha('out/test/unit/**/*.test.js') },
  conformance: { label: 'conformance tests (AWS CLI v1/v2, botocore, moto)', command: 'npx', args: mocha('out/test/conformance/**/*.test.js') },
  // The suite inside the extension host reads MOCHA_GREP itself (test/integration/suite/mochaRunner.ts).
  integration: { label: 'integration tests (code-server)', command: 'node', args: ['out/test/integration/run.js'] },
  e2e: { label: 'UI end-to-end tests (code-server + chromium)', command: 'npx', args: mocha('out/test/e2e/**/*.test.js', ['--timeout', '180000']) },
};

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
    // A suite that crashed or ran nothing is a failure, never a silent pass; a suite whose tool is
    // missing fails in its before() hook, which mocha counts as failing. Only MOCHA_GREP may
    // legitimately leave a stage with nothing to run.
    if (!ok && failed === 0) failed = 1;
    if (ok && passed === 0 && !grep) failed += 1;
    if (ok && passed === 0 && grep) console.log(`(no test of this stage matches MOCHA_GREP=${grep})`);
    results.push({ label, passed, failed });
  } else if (!ok) {
    results.push({ label, passed: 0, failed: 1 });
  }
  return ok;
}

function main() {
  const only = (process.env.TEST_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = only.filter((s) => !(s in STAGES));
  if (unknown.length) {
    console.error(`TEST_ONLY: unknown stage ${unknown.join(', ')}; use ${Object.keys(STAGES).join(', ')} (comma-separated)`);
    process.exit(2);
  }
  const skipInstall = process.env.SKIP_TEST_DEPS_INSTALL === '1';
  if (!skipInstall && !run('install test dependencies', 'bash', ['scripts/install-test-deps.sh'])) return finish();
  if (!run('build', 'node', ['esbuild.js'])) return finish();
  // A fresh out/: compiled tests of files that were moved or deleted must not run again.
  fs.rmSync(path.join(root, 'out'), { recursive: true, force: true });
  if (!run('type check and compile tests', 'npx', ['tsc', '-p', '.'])) return finish();
  run('lint and import cycles', 'npm', ['run', '--silent', 'lint']);
  for (const [name, stage] of Object.entries(STAGES)) {
    if (only.length === 0 || only.includes(name)) run(stage.label, stage.command, stage.args, { counts: true });
  }
  if (only.length === 0) checkPackage();
  return finish();
}

/** `npm run package` must build a .vsix holding the bundle and its lazily loaded STS chunk. */
function checkPackage() {
  if (!run('package (.vsix)', 'npm', ['run', 'package'])) return;
  const vsix = path.join(root, 'aws-role-switcher.vsix');
  const listing = spawnSync('unzip', ['-Z1', vsix], { encoding: 'utf8' }).stdout ?? '';
  const needed = ['extension/package.json', 'extension/dist/extension.js', 'extension/dist/stsClient.js', 'extension/dist/credentialSources.js', 'extension/dist/ssoClients.js', 'extension/dist/engine.js', 'extension/dist/errors.js', 'extension/media/aws-roles.svg', 'extension/readme.md'];
  const missing = needed.filter((f) => !listing.split('\n').includes(f));
  const leaked = listing.split('\n').filter((f) => /\.map$|^extension\/(src|test|node_modules|out)\//.test(f));
  // Test-only commands (src/vscode/testHooks.ts) are registered from an environment variable, never contributed.
  const manifest = spawnSync('unzip', ['-p', vsix, 'extension/package.json'], { encoding: 'utf8' }).stdout ?? '';
  if (/inspectState/.test(manifest)) leaked.push('a test-only command in extension/package.json');
  if (missing.length || leaked.length) {
    console.log(`vsix: missing ${missing.join(', ') || 'nothing'}; should not contain ${leaked.join(', ') || 'nothing'}`);
    results.push({ label: 'package contents', passed: 0, failed: 1 });
  } else {
    console.log(`vsix: ${listing.trim().split('\n').length} files, ${(fs.statSync(vsix).size / 1024).toFixed(0)} KB`);
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
