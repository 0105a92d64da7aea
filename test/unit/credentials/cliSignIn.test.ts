import * as assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AWS_LOGIN_MIN_CLI_VERSION, AwsCliCheck, cliSignInCommand, cliSignInProcess, isAtLeastVersion, parseAwsCliVersion, resolveExecutable } from '../../../src/core/credentials/cliSignIn';

describe('core/credentials/cliSignIn: how an AWS CLI sign-in is started', () => {
  it('hands the arguments to the aws executable verbatim: no quoting, no shell, no && exit', () => {
    const name = `it's "my" profile; rm -rf ~ && $(id) \`id\` | & > x`;
    assert.deepEqual(cliSignInProcess(['sso', 'login', '--profile', name]), { executable: 'aws', args: ['sso', 'login', '--profile', name] });
    assert.deepEqual(cliSignInProcess(['sso', 'login', '--sso-session', 'corp'], '/opt/fake/aws'), { executable: '/opt/fake/aws', args: ['sso', 'login', '--sso-session', 'corp'] });
  });

  it('copies the arguments, so a later change to the error that carried them changes nothing', () => {
    const args = ['sso', 'login', '--profile', 'a'];
    const login = cliSignInProcess(args);
    args.push('--no-browser');
    assert.deepEqual(login.args, ['sso', 'login', '--profile', 'a']);
  });

  it('names the command without its options, for the terminal and the Sign In button', () => {
    assert.equal(cliSignInCommand(['sso', 'login', '--sso-session', 'corp']), 'aws sso login');
    assert.equal(cliSignInCommand(['login', '--profile', 'dev']), 'aws login');
    assert.equal(cliSignInCommand(['login']), 'aws login');
  });

  describe('the AWS CLI version, for aws login', () => {
    it('reads the version of v2, v1 and nothing else', () => {
      assert.equal(parseAwsCliVersion('aws-cli/2.32.0 Python/3.13.7 Linux/6.8.0 exe/x86_64.ubuntu.24\n'), '2.32.0');
      assert.equal(parseAwsCliVersion('aws-cli/2.9.19 Python/3.11.2 Linux/6.1.0 source/x86_64.debian.12 prompt/off\n'), '2.9.19');
      assert.equal(parseAwsCliVersion('\naws-cli/1.38.3 Python/3.12.1 Linux/6.1.0 botocore/1.37.3\n'), '1.38.3');
      assert.equal(parseAwsCliVersion('bash: aws: command not found'), undefined);
      assert.equal(parseAwsCliVersion(''), undefined);
    });

    it('compares part by part as numbers: 2.32.0 is needed, 2.9.19 and v1 are too old', () => {
      assert.equal(AWS_LOGIN_MIN_CLI_VERSION, '2.32.0');
      for (const v of ['2.32.0', '2.32.1', '2.36.4', '2.100.0', '3.0.0']) assert.equal(isAtLeastVersion(v, AWS_LOGIN_MIN_CLI_VERSION), true, v);
      for (const v of ['2.9.19', '2.31.99', '2.3.200', '1.38.3', '1.99.0']) assert.equal(isAtLeastVersion(v, AWS_LOGIN_MIN_CLI_VERSION), false, v);
    });

    describe('AwsCliCheck', () => {
      let dir: string;
      beforeEach(() => {
        dir = mkdtempSync(path.join(os.tmpdir(), 'awscli-version-'));
      });
      afterEach(() => rmSync(dir, { recursive: true, force: true }));

      function fakeAws(where: string): string {
        const exe = path.join(where, 'aws');
        writeFileSync(exe, '#!/bin/sh\n');
        chmodSync(exe, 0o755);
        return exe;
      }

      it('asks once per executable, nothing is known before it answers, and a different aws on PATH is asked again', async () => {
        const exe = fakeAws(dir);
        const asked: string[] = [];
        const answers: Record<string, string> = { [exe]: 'aws-cli/2.9.19 Python/3.11.2 Linux/6.1.0 source/x86_64.debian.12\n' };
        const env = { PATH: dir };
        const check = new AwsCliCheck(async (e) => (asked.push(e), answers[e]), env);
        assert.equal(check.peek(), undefined);
        const [a, b] = await Promise.all([check.check(), check.check()]);
        assert.deepEqual(a, { executable: exe, version: '2.9.19', supportsLogin: false, loginMinVersion: '2.32.0' });
        assert.equal(b, a);
        assert.deepEqual(check.peek(), a);
        await check.check();
        assert.deepEqual(asked, [exe]);

        const newer = mkdtempSync(path.join(os.tmpdir(), 'awscli-newer-'));
        try {
          const exe2 = fakeAws(newer);
          answers[exe2] = 'aws-cli/2.32.0 Python/3.13.7 Linux/6.8.0 exe/x86_64.ubuntu.24\n';
          env.PATH = `${newer}:${dir}`;
          assert.equal(check.peek(), undefined, 'another executable: not known yet');
          assert.equal((await check.check()).supportsLogin, true);
          assert.deepEqual(asked, [exe, exe2]);
        } finally {
          rmSync(newer, { recursive: true, force: true });
        }
      });

      it('no aws on PATH: known at once to support nothing, without running anything', async () => {
        const check = new AwsCliCheck(async () => assert.fail('nothing to run'), { PATH: dir });
        assert.deepEqual(await check.check(), { executable: undefined, version: undefined, supportsLogin: false, loginMinVersion: '2.32.0' });
      });

      it('runs the real executable with --version (a stand-in that prints like AWS CLI v1 to stderr)', async () => {
        const exe = path.join(dir, 'aws');
        writeFileSync(exe, '#!/bin/sh\n[ "$1" = "--version" ] || exit 2\necho "aws-cli/1.38.3 Python/3.12.1 Linux/6.1.0 botocore/1.37.3" >&2\n');
        chmodSync(exe, 0o755);
        const facts = await new AwsCliCheck(undefined, { PATH: dir }).check();
        assert.equal(facts.version, '1.38.3');
        assert.equal(facts.supportsLogin, false);
      });
    });
  });

  describe('resolveExecutable', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'clisignin-'));
      writeFileSync(path.join(dir, 'aws'), '#!/bin/sh\n');
      chmodSync(path.join(dir, 'aws'), 0o755);
      writeFileSync(path.join(dir, 'notexec'), '');
      chmodSync(path.join(dir, 'notexec'), 0o644);
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('finds a bare name on PATH, skipping empty entries and directories without it', () => {
      assert.equal(resolveExecutable('aws', { PATH: `::/nonexistent-dir:${dir}` }, 'linux'), path.join(dir, 'aws'));
    });

    it('is undefined when the CLI is on no PATH entry, or the file is not executable', () => {
      assert.equal(resolveExecutable('aws', { PATH: '/nonexistent-dir' }, 'linux'), undefined);
      assert.equal(resolveExecutable('aws', {}, 'linux'), undefined);
      assert.equal(resolveExecutable('notexec', { PATH: dir }, 'linux'), undefined);
    });

    it('takes a name with a slash as a path', () => {
      assert.equal(resolveExecutable(path.join(dir, 'aws'), { PATH: '' }, 'linux'), path.join(dir, 'aws'));
      assert.equal(resolveExecutable(path.join(dir, 'missing'), { PATH: dir }, 'linux'), undefined);
    });
  });
});
