// Runs test/integration/suite inside code-server's real extension host, with a sandbox
// HOME and AWS files, and prints mocha's output plus a machine-readable count line.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runSuiteInCodeServer } from '../harness/codeServer';
import { parseMochaCounts } from '../harness/mochaCounts';
import { requireAwsCliV1, requireAwsCliV2, requireMotoServer } from '../support/externalTools';

const repoRoot = path.resolve(__dirname, '..', '..', '..');

async function main(): Promise<number> {
  // The suites drive these from inside the extension host; a missing one is named here, up front.
  requireAwsCliV2();
  const cliV1 = requireAwsCliV1();
  const motoServer = requireMotoServer();
  const sandbox = await fs.mkdtemp(path.join(os.tmpdir(), 'aws-roles-int-'));
  const home = path.join(sandbox, 'home');
  const workspace = path.join(sandbox, 'workspace');
  await fs.mkdir(path.join(home, '.aws'), { recursive: true });
  await fs.mkdir(workspace, { recursive: true });
  const { exitCode, output } = await runSuiteInCodeServer({
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: path.join(repoRoot, 'out', 'test', 'integration', 'suite', 'index.js'),
    workspace,
    env: {
      HOME: home,
      SHELL: '/bin/bash',
      // The extension host's PATH may differ from ours; hand moto's launcher over by absolute path.
      MOTO_SERVER_BIN: motoServer,
      TEST_AWS_CLI_V1_COMMAND: JSON.stringify({ file: cliV1.file, args: cliV1.args }),
      AWS_CONFIG_FILE: path.join(home, '.aws', 'config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(home, '.aws', 'credentials'),
    },
    timeoutMs: Number(process.env.INTEGRATION_TIMEOUT_MS ?? 10 * 60_000),
    onLog: (line) => process.stdout.write(`${line}\n`),
  });
  const counts = parseMochaCounts(output);
  // A run that died before mocha reported counts as one failure, never as a pass.
  if (exitCode !== 0 && counts.failed === 0) counts.failed = 1;
  console.log(`integration: ${counts.passed} passed, ${counts.failed} failed (exit ${exitCode})`);
  await fs.rm(sandbox, { recursive: true, force: true });
  // MOCHA_GREP may leave nothing to run; otherwise a run that passed nothing is a failure.
  return exitCode === 0 && counts.failed === 0 && (counts.passed > 0 || Boolean(process.env.MOCHA_GREP)) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
