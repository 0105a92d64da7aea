import * as assert from 'node:assert/strict';
import { buildSessionEnvironment, MANAGED_ENV_NAMES } from '../../../src/core/delivery/terminalEnvVars';
import { roleSession, staticSession } from '../../support/sessions';

describe('core/envVars', () => {
  it('sets exactly the managed variables for a role session', () => {
    const session = roleSession({
      credentials: { accessKeyId: 'ASIAEXAMPLEEXAMPLE01', secretAccessKey: 'sec', sessionToken: 'tok' },
      expiresAt: Date.UTC(2025, 5, 1, 13, 45, 7, 999),
    });
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
    const env = buildSessionEnvironment(staticSession({ credentials: { accessKeyId: 'AKIAEXAMPLEEXAMPLE01', secretAccessKey: 'sec' } }));
    assert.equal(env.AWS_SESSION_TOKEN, undefined);
    assert.equal(env.AWS_CREDENTIAL_EXPIRATION, undefined);
    assert.equal(env.AWS_ACCESS_KEY_ID, 'AKIAEXAMPLEEXAMPLE01');
  });

  it('formats the expiration as ISO 8601 UTC without milliseconds', () => {
    const env = buildSessionEnvironment(roleSession({ credentials: { accessKeyId: 'a', secretAccessKey: 'b', sessionToken: 'c' }, expiresAt: Date.UTC(2030, 0, 2, 3, 4, 5) }));
    assert.equal(env.AWS_CREDENTIAL_EXPIRATION, '2030-01-02T03:04:05Z');
    assert.match(env.AWS_CREDENTIAL_EXPIRATION!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });
});
