import * as assert from 'node:assert/strict';
import { formatCountdown, formatDuration } from '../../../src/core/session/countdown';
import { buildSessionEnvironment, MANAGED_ENV_NAMES } from '../../../src/core/delivery/terminalEnvVars';
import { redactEnv, redactPatterns, Redactor } from '../../../src/core/redact';
import type { Session } from '../../../src/core/session/resolveSession';
import { defaultSessionName, sanitizeSessionName } from '../../../src/core/credentials/roleSessionName';

const STS_NAME = /^[\w+=,.@-]{2,64}$/;

describe('core/sessionName', () => {
  it('keeps a valid name as it is', () => {
    assert.equal(sanitizeSessionName('alice.smith@corp,team=ops+1'), 'alice.smith@corp,team=ops+1');
  });

  it('replaces refused characters with a single dash and trims dashes at the ends', () => {
    assert.equal(sanitizeSessionName('Jane Doe / laptop'), 'Jane-Doe-laptop');
    assert.equal(sanitizeSessionName('  bob  '), 'bob');
    assert.equal(sanitizeSessionName('DOMAIN\\bob'), 'DOMAIN-bob');
  });

  it('cuts names to 64 characters', () => {
    const name = sanitizeSessionName('x'.repeat(100));
    assert.equal(name.length, 64);
    assert.match(name, STS_NAME);
  });

  it('pads names that are too short or empty', () => {
    assert.equal(sanitizeSessionName('a'), 'a-session');
    assert.equal(sanitizeSessionName(''), 'vscode-session');
    assert.equal(sanitizeSessionName('!!!'), 'vscode-session');
  });

  it('always yields something STS accepts', () => {
    for (const raw of ['ü', 'José Ñúñez', '名前', 'a'.repeat(65) + ' b', '-', 'x\ny', '::']) {
      assert.match(sanitizeSessionName(raw), STS_NAME, JSON.stringify(raw));
    }
  });

  it('defaults to <user>-vscode', () => {
    assert.equal(defaultSessionName('alice'), 'alice-vscode');
    assert.equal(defaultSessionName('Jane Doe'), 'Jane-Doe-vscode');
    assert.equal(defaultSessionName(''), 'user-vscode');
  });

  it('uses the OS user when no user is given', () => {
    const name = defaultSessionName();
    assert.match(name, /-vscode$/);
    assert.match(name, STS_NAME);
  });
});

describe('core/envVars', () => {
  const base = {
    profileName: 'admin',
    startedAt: 0,
    region: 'eu-west-1',
    arn: 'arn:aws:sts::222222222222:assumed-role/Admin/alice',
    accountId: '222222222222',
    chain: ['admin', 'base'],
  };

  it('sets exactly the managed variables for a role session', () => {
    const session: Session = {
      ...base,
      kind: 'role',
      credentials: { accessKeyId: 'ASIAEXAMPLEEXAMPLE01', secretAccessKey: 'sec', sessionToken: 'tok' },
      expiresAt: Date.UTC(2025, 5, 1, 13, 45, 7, 999),
    };
    const env = buildSessionEnvironment(session);
    assert.deepEqual(Object.keys(env).sort(), [...MANAGED_ENV_NAMES].sort());
    assert.deepEqual(env, {
      AWS_ACCESS_KEY_ID: 'ASIAEXAMPLEEXAMPLE01',
      AWS_SECRET_ACCESS_KEY: 'sec',
      AWS_SESSION_TOKEN: 'tok',
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
      AWS_CREDENTIAL_EXPIRATION: '2025-06-01T13:45:07Z',
      AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: undefined,
    });
    // Endpoint mode: the address and token instead of the keys.
    const viaEndpoint = buildSessionEnvironment(session, { url: 'http://127.0.0.1:1/credentials/x', token: 'tkn' });
    assert.equal(viaEndpoint.AWS_ACCESS_KEY_ID, undefined);
    assert.equal(viaEndpoint.AWS_SESSION_TOKEN, undefined);
    assert.equal(viaEndpoint.AWS_CONTAINER_CREDENTIALS_FULL_URI, 'http://127.0.0.1:1/credentials/x');
    assert.equal(viaEndpoint.AWS_CONTAINER_AUTHORIZATION_TOKEN, 'tkn');
    assert.equal(viaEndpoint.AWS_REGION, 'eu-west-1');
    assert.ok(!('AWS_PROFILE' in env));
  });

  it('leaves out the session token and expiration for static keys', () => {
    const env = buildSessionEnvironment({ ...base, kind: 'static', credentials: { accessKeyId: 'AKIAEXAMPLEEXAMPLE01', secretAccessKey: 'sec' } });
    assert.equal(env.AWS_SESSION_TOKEN, undefined);
    assert.equal(env.AWS_CREDENTIAL_EXPIRATION, undefined);
    assert.equal(env.AWS_ACCESS_KEY_ID, 'AKIAEXAMPLEEXAMPLE01');
  });

  it('formats the expiration as ISO 8601 UTC without milliseconds', () => {
    const env = buildSessionEnvironment({ ...base, kind: 'role', credentials: { accessKeyId: 'a', secretAccessKey: 'b', sessionToken: 'c' }, expiresAt: Date.UTC(2030, 0, 2, 3, 4, 5) });
    assert.equal(env.AWS_CREDENTIAL_EXPIRATION, '2030-01-02T03:04:05Z');
    assert.match(env.AWS_CREDENTIAL_EXPIRATION!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });
});

describe('core/countdown', () => {
  it('shows m:ss under an hour', () => {
    assert.equal(formatCountdown((42 * 60 + 17) * 1000), '42:17');
    assert.equal(formatCountdown(5_000), '0:05');
    assert.equal(formatCountdown((59 * 60 + 59) * 1000), '59:59');
  });

  it('shows h:mm:ss from an hour on', () => {
    assert.equal(formatCountdown((3600 + 59 * 60 + 3) * 1000), '1:59:03');
    assert.equal(formatCountdown(3600_000), '1:00:00');
    assert.equal(formatCountdown(12 * 3600_000), '12:00:00');
  });

  it('rounds partial seconds down so it never shows more time than is left', () => {
    assert.equal(formatCountdown(3600_000 - 1), '59:59');
    assert.equal(formatCountdown(999), '0:00');
    assert.equal(formatCountdown(1000), '0:01');
  });

  it('shows 0:00 once expired', () => {
    assert.equal(formatCountdown(0), '0:00');
    assert.equal(formatCountdown(-5_000), '0:00');
    assert.equal(formatCountdown(-3600_000), '0:00');
  });

  it('formatDuration words hours and minutes', () => {
    assert.equal(formatDuration(3600), '1 hour');
    assert.equal(formatDuration(900), '15 minutes');
    assert.equal(formatDuration(5400), '1 hour 30 minutes');
    assert.equal(formatDuration(7260), '2 hours 1 minute');
    assert.equal(formatDuration(45), '45 seconds');
    assert.equal(formatDuration(1), '1 second');
  });
});

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
