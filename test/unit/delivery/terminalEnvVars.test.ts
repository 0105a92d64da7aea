import * as assert from 'node:assert/strict';
import { buildSessionEnvironment, endpointEnvName, isManagedEnvName, MANAGED_ENV_NAMES, profileEndpointEnv } from '../../../src/core/delivery/terminalEnvVars';
import { profileEndpoints } from '../../../src/core/credentials/configuredEndpoint';
import type { ProfileSet } from '../../../src/core/config/profiles';
import { makeTempDir, profileSetFrom, removeTempDir } from '../../support/awsFiles';
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

describe('core/envVars: the profile\'s configured endpoints', () => {
  let dir: string;
  let set: ProfileSet;
  before(async () => {
    dir = await makeTempDir();
    set = await profileSetFrom(dir, `
      [profile local]
      endpoint_url = http://localhost:4566
      services = local

      [profile only-url]
      endpoint_url = http://127.0.0.1:9000 

      [profile none]
      region = eu-west-1

      [profile ignoring]
      endpoint_url = http://localhost:4566
      services = local
      ignore_configured_endpoint_urls = true

      [services local]
      sts =
        endpoint_url = http://127.0.0.1:4567
      sso-oidc =
        endpoint_url = http://127.0.0.1:4568
      Secrets Manager =
        endpoint_url = http://127.0.0.1:4569
      s3 =
        addressing_style = path
    `);
  });
  after(() => removeTempDir(dir));

  const envOf = (name: string) => profileEndpointEnv(profileEndpoints(set, set.profiles.get(name)!));

  it('names each as the SDKs do: AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE ID>', () => {
    assert.deepEqual(envOf('local'), {
      AWS_ENDPOINT_URL: 'http://localhost:4566',
      AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:4567',
      AWS_ENDPOINT_URL_SSO_OIDC: 'http://127.0.0.1:4568',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: 'http://127.0.0.1:4569',
    });
    assert.deepEqual(envOf('only-url'), { AWS_ENDPOINT_URL: 'http://127.0.0.1:9000' });
    assert.equal(endpointEnvName('sso-oidc'), 'AWS_ENDPOINT_URL_SSO_OIDC');
    assert.equal(endpointEnvName('api gateway'), 'AWS_ENDPOINT_URL_API_GATEWAY');
  });

  it('sets none the profile did not configure, and none when it ignores configured endpoints', () => {
    assert.deepEqual(envOf('none'), {});
    assert.deepEqual(envOf('ignoring'), {});
    assert.deepEqual(profileEndpointEnv(undefined), {});
  });

  it('counts the endpoint variables among those removed on drop, and nothing else', () => {
    for (const name of ['AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_STS', 'AWS_ENDPOINT_URL_SSO_OIDC', ...MANAGED_ENV_NAMES]) assert.ok(isManagedEnvName(name), name);
    for (const name of ['AWS_PROFILE', 'AWS_ENDPOINT_URLS', 'AWS_ENDPOINT_URL_', 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', 'PATH']) assert.ok(!isManagedEnvName(name), name);
  });
});
