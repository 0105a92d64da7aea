import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { ssoLoginShellCommand } from '../../../src/core/credentials/ssoLogin';

describe('core/credentials/ssoLogin: the aws sso login command line', () => {
  it('leaves plain words alone and closes the terminal only after a successful login', () => {
    assert.equal(ssoLoginShellCommand(['sso', 'login', '--sso-session', 'corp']), 'aws sso login --sso-session corp && exit');
  });

  it('quotes names with spaces and quotes so a POSIX shell passes them through as one word', () => {
    const name = "it's my profile; rm -rf ~";
    const line = ssoLoginShellCommand(['sso', 'login', '--profile', name]);
    // What sh hands to `aws` is exactly the four words, whatever the name holds.
    const words = execFileSync('sh', ['-c', `printf '%s\\n' ${line.replace(/^aws /, '').replace(/ && exit$/, '')}`], { encoding: 'utf8' }).split('\n').slice(0, -1);
    assert.deepEqual(words, ['sso', 'login', '--profile', name]);
  });
});
