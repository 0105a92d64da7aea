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

  it('a secret remembered after earlier redactions is masked from then on', () => {
    const r = new Redactor();
    r.remember('first-secret-value');
    assert.equal(r.redact('x first-secret-value'), 'x ***');
    r.remember('second-secret-value');
    assert.equal(r.redact('y second-secret-value first-secret-value'), 'y *** ***');
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

  describe('remembered secrets in URLs and JSON', () => {
    const KEY_ID = 'ASIAY34FZKBOKMUTVV7A';
    const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEX+MPLEKEY';
    const SESSION_TOKEN = 'FwoGZXIvYXdzEJr//////////wEaDH7+test/token=' + 'x'.repeat(30);
    const redactor = () => {
      const r = new Redactor();
      r.remember(KEY_ID, SECRET, SESSION_TOKEN);
      return r;
    };
    const leaks = (text: string) => [KEY_ID, SECRET, SESSION_TOKEN].some((s) => [s, encodeURIComponent(s), encodeURIComponent(s).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()), JSON.stringify(s).slice(1, -1), s.replace(/\//g, '\\/')].some((f) => text.includes(f)));

    it('masks the session JSON URL-encoded into a query string, as a runtime error quotes it', () => {
      const json = JSON.stringify({ sessionId: KEY_ID, sessionKey: SECRET, sessionToken: SESSION_TOKEN });
      const message = `TypeError: Failed to parse URL from signin.example.test/federation?Action=getSigninToken&SessionDuration=43200&Session=${encodeURIComponent(json)}`;
      const out = redactor().redact(message);
      assert.ok(!leaks(out), out);
      assert.match(out, /^TypeError: Failed to parse URL from signin\.example\.test\/federation\?Action=getSigninToken&SessionDuration=43200&Session=/);
    });

    it('masks each secret percent-encoded (either hex case, once or twice), form-encoded and JSON-escaped', () => {
      const r = redactor();
      for (const s of [SECRET, SESSION_TOKEN]) {
        const forms = [encodeURIComponent(s), encodeURIComponent(s).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()), new URLSearchParams({ x: s }).toString().slice(2), encodeURIComponent(encodeURIComponent(s)), JSON.stringify(s).slice(1, -1), s.replace(/\//g, '\\/')];
        for (const form of forms) assert.equal(r.redact(`before ${form} after`), 'before *** after', form === s ? 'as written' : 'an encoded form');
      }
    });
  });

  it('masks an unknown long token even when it is percent-encoded', () => {
    const encoded = encodeURIComponent(TOKEN);
    assert.equal(redactPatterns(`Session: ${encoded}&x=1`), 'Session: ***&x=1');
    assert.equal(redactPatterns(`"t":"${TOKEN.replace(/\//g, '\\/')}"`), '"t":"***"');
  });

  it('masks values after key names when the JSON around them is URL-encoded', () => {
    const encoded = encodeURIComponent(JSON.stringify({ sessionId: 'ASIAY34FZKBOKMUTVV7A', sessionKey: 'abc/def+ghi', sessionToken: 'short+tok/en' }));
    const out = redactPatterns(`Session=${encoded}`);
    assert.ok(!out.includes(encodeURIComponent('abc/def+ghi')) && !out.includes(encodeURIComponent('short+tok/en')), out);
    assert.ok(!out.includes('ASIAY34FZKBOKMUTVV7A'), out);
  });

  it('leaves encoded ordinary URLs alone', () => {
    const text = `Destination=${encodeURIComponent('https://console.aws.amazon.com/ec2/home?region=eu-west-1#Instances:instanceState=running;sort=desc:launchTime')}`;
    assert.equal(redactPatterns(text), text);
  });
});
