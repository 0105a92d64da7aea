// `npm run test:desktop`: the same integration suite in VS Code desktop via @vscode/test-electron,
// for machines that can download VS Code (not part of `npm test` here: no internet).
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { requireAwsCliV1, requireAwsCliV2, requireMotoServer } from '../support/externalTools';

async function main(): Promise<void> {
  // The suites drive these from inside the extension host; a missing one is named here, up front.
  requireAwsCliV2();
  requireAwsCliV1();
  const repoRoot = path.resolve(__dirname, '..', '..', '..');
  const sandbox = await fs.mkdtemp(path.join(os.tmpdir(), 'aws-roles-desktop-'));
  const home = path.join(sandbox, 'home');
  const workspace = path.join(sandbox, 'workspace');
  await fs.mkdir(path.join(home, '.aws'), { recursive: true });
  await fs.mkdir(workspace, { recursive: true });
  const env: Record<string, string | undefined> = {};
  for (const name of Object.keys(process.env)) if (name.startsWith('AWS_')) env[name] = undefined;
  Object.assign(env, {
    AWS_ROLES_TEST_HOOKS: '1',
    HOME: home,
    AWS_CONFIG_FILE: path.join(home, '.aws', 'config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, '.aws', 'credentials'),
    MOTO_SERVER_BIN: requireMotoServer(),
  });
  await runTests({
    version: '1.100.3',
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: path.join(repoRoot, 'out', 'test', 'integration', 'suite', 'index.js'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
    extensionTestsEnv: env,
  });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
