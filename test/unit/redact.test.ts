import * as assert from 'node:assert/strict';
import { redactEnv, redactPatterns, Redactor } from '../../src/core/redact';

describe('core/redact', () => {
  const TOKEN = 'IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD' + 'A'.repeat(120) + '==';

  it('replaces remembered secrets wherever they appear', () => {
    const r = new Redactor();
    r.remember('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'short', undefined);
    const out = r.redact('key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY and again:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY.');
    assert.equal(out, 'key=*** and again:***.');
  });

  it('ignores remembered values shorter than 6 characters', () => {
    const r = new Redactor();
    r.remember('short', 'abc');
    assert.equal(r.redact('a short abc text'), 'a short abc text');
  });

  it('shortens access key ids to prefix…suffix', () => {
    assert.equal(redactPatterns('id AKIAIOSFODNN7EXAMPLE used'), 'id AKIA…MPLE used');
    assert.equal(redactPatterns('ASIAY34FZKBOKMUTVV7A'), 'ASIA…VV7A');
    assert.equal(redactPatterns('role AROA1234567890ABCDEFG'), 'role AROA…DEFG');
  });

  it('masks values after secret key names, in INI, JSON and header shapes', () => {
    assert.equal(redactPatterns('aws_secret_access_key = wJalrXUtnFEMI/K7MDENG'), 'aws_secret_access_key = ***');
    assert.equal(redactPatterns('aws_session_token=abc123'), 'aws_session_token=***');
    assert.equal(redactPatterns('{"SecretAccessKey":"abc/def+ghi","SessionToken":"tok"}'), '{"SecretAccessKey":"***","SessionToken":"***"}');
    assert.equal(redactPatterns('X-Amz-Security-Token: FQoGZXIvYXdz'), 'X-Amz-Security-Token: ***');
  });

  it('masks long base64 tokens even when nobody registered them', () => {
    const out = redactPatterns(`token ${TOKEN} end`);
    assert.equal(out, 'token *** end');
  });

  it('leaves ordinary text, ARNs and paths alone', () => {
    const text = 'Assumed arn:aws:iam::123456789012:role/ops/Admin from /home/alice/.aws/config in eu-west-1';
    assert.equal(redactPatterns(text), text);
  });

  it('Redactor.redact applies the patterns too', () => {
    assert.equal(new Redactor().redact('AKIAIOSFODNN7EXAMPLE'), 'AKIA…MPLE');
  });

  it('redactEnv masks secret variables and drops undefined ones', () => {
    assert.deepEqual(
      redactEnv({
        AWS_ACCESS_KEY_ID: 'AKIA...',
        AWS_SECRET_ACCESS_KEY: 'secret',
        AWS_SESSION_TOKEN: 'token',
        AWS_SECURITY_TOKEN: 'legacy',
        AWS_REGION: 'eu-west-1',
        AWS_CREDENTIAL_EXPIRATION: undefined,
        PATH: '/usr/bin',
      }),
      { AWS_ACCESS_KEY_ID: '***', AWS_SECRET_ACCESS_KEY: '***', AWS_SESSION_TOKEN: '***', AWS_SECURITY_TOKEN: '***', AWS_REGION: 'eu-west-1', PATH: '/usr/bin' },
    );
  });
});
