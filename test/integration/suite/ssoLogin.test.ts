import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID, waitFor } from './helpers';

interface Outcome {
  kind: 'notFound' | 'exited' | 'closed';
  code?: number;
  message?: string;
}

// Every character a shell would act on, but no newline (a profile name cannot hold one).
const NASTY_PROFILE = `it's "q" ; touch PWNED1 && $(touch PWNED2) \`touch PWNED3\` | & > PWNED4 $HOME %PATH% !x ^ (y)`;

/** A stand-in for `aws`: writes its arguments one per line to a file, then exits with a fixed code. */
async function fakeAws(dir: string, name: string, exitCode: number, extra = ''): Promise<{ exe: string; argv: string }> {
  const exe = path.join(dir, name);
  const argv = path.join(dir, `${name}.argv`);
  await fs.writeFile(exe, `#!/bin/sh\ncd ${JSON.stringify(dir)}\nfor a in "$@"; do printf '%s\\n' "$a"; done > ${JSON.stringify(argv)}\n${extra}exit ${exitCode}\n`);
  await fs.chmod(exe, 0o755);
  return { exe, argv };
}

function runSsoLogin(executable: string, args: string[]): Thenable<Outcome> {
  return vscode.commands.executeCommand<Outcome>('awsRoles.test.runCliSignIn', executable, args);
}

describe('Sign In runs aws sso login without a shell', function () {
  this.timeout(60000);
  let dir: string;

  before(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sso-login-'));
  });
  after(() => fs.rm(dir, { recursive: true, force: true }));

  for (const code of [0, 3]) {
    it(`passes a profile name full of shell metacharacters as one argument and reports exit code ${code}`, async () => {
      const { exe, argv } = await fakeAws(dir, `aws-exit-${code}`, code);
      const args = ['sso', 'login', '--profile', NASTY_PROFILE];
      const outcome = await runSsoLogin(exe, args);
      assert.equal(outcome.kind, 'exited');
      assert.equal(outcome.code, code);
      assert.equal(await fs.readFile(argv, 'utf8'), args.map((a) => `${a}\n`).join(''));
      const left = await fs.readdir(dir);
      assert.deepEqual(left.filter((f) => f.startsWith('PWNED')), [], 'no shell ran any part of the profile name');
      if (code === 0) assert.equal(outcome.message, undefined);
      else assert.match(outcome.message ?? '', /did not finish \(exit code 3\)/);
    });
  }

  it('says the AWS CLI was not found when the executable is missing', async () => {
    const outcome = await runSsoLogin(path.join(dir, 'no-such-aws'), ['sso', 'login']);
    assert.equal(outcome.kind, 'notFound');
    assert.match(outcome.message ?? '', /AWS CLI v2 was not found on PATH/);
  });

  it('reports a terminal closed before the CLI finished as not signed in', async () => {
    const { exe, argv } = await fakeAws(dir, 'aws-slow', 0, 'sleep 60\n');
    const pending = runSsoLogin(exe, ['sso', 'login', '--sso-session', 'corp']);
    await waitFor('the slow CLI to start', async () => (await fs.readFile(argv, 'utf8').catch(() => '')).includes('corp'));
    const terminal = await waitFor('the sign-in terminal', () => vscode.window.terminals.find((t) => t.name === 'aws sso login' && t.exitStatus === undefined));
    terminal.dispose();
    const outcome = await pending;
    assert.equal(outcome.kind, 'closed');
    assert.match(outcome.message ?? '', /closed before the sign-in finished/);
  });
});
