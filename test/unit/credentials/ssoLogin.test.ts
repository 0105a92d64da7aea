import * as assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveExecutable, ssoLoginProcess } from '../../../src/core/credentials/ssoLogin';

describe('core/credentials/ssoLogin: how aws sso login is started', () => {
  it('hands the arguments to the aws executable verbatim: no quoting, no shell, no && exit', () => {
    const name = `it's "my" profile; rm -rf ~ && $(id) \`id\` | & > x`;
    assert.deepEqual(ssoLoginProcess(['sso', 'login', '--profile', name]), { executable: 'aws', args: ['sso', 'login', '--profile', name] });
    assert.deepEqual(ssoLoginProcess(['sso', 'login', '--sso-session', 'corp'], '/opt/fake/aws'), { executable: '/opt/fake/aws', args: ['sso', 'login', '--sso-session', 'corp'] });
  });

  it('copies the arguments, so a later change to the error that carried them changes nothing', () => {
    const args = ['sso', 'login', '--profile', 'a'];
    const login = ssoLoginProcess(args);
    args.push('--no-browser');
    assert.deepEqual(login.args, ['sso', 'login', '--profile', 'a']);
  });

  describe('resolveExecutable', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'ssologin-'));
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
