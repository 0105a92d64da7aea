import * as assert from 'node:assert/strict';
import type { ProfileSet } from '../../../../src/core/config/profiles';
import { parseRegistrationScopes, resolveSsoEndpoints, ssoSessionFromConfig } from '../../../../src/core/credentials/sso/ssoConfig';
import { isAwsOwnedHost, resolveStartUrl } from '../../../../src/core/credentials/sso/startUrlProbe';
import { RoleSwitchError } from '../../../../src/core/errors';
import { makeTempDir, profileSetFrom, removeTempDir } from '../../../support/awsFiles';

describe('core: sso-session settings and IAM Identity Center endpoints', () => {
  let dir: string;
  let set: ProfileSet;
  before(async () => {
    dir = await makeTempDir();
    set = await profileSetFrom(dir, `
      [default]
      region = eu-west-1

      [profile local]
      services = local
      endpoint_url = http://profile-endpoint:1

      [profile global-only]
      endpoint_url = http://profile-endpoint:2

      [profile ignoring]
      services = local
      ignore_configured_endpoint_urls = true

      [services local]
      sso-oidc =
        endpoint_url = http://wrong-key:1
      sso_oidc =
        endpoint_url = http://oidc-endpoint:4510
      sso =
        endpoint_url = http://portal-endpoint:4511

      [sso-session corp]
      sso_start_url = https://d-1234567890.awsapps.com/start
      sso_region = eu-west-1
      sso_registration_scopes = sso:account:access, codewhisperer:completions ,
      endpoint_url = http://not-read-by-botocore:1

      [sso-session broken]
      sso_region = eu-west-1
    `);
  });
  after(() => removeTempDir(dir));

  it('takes AWS_ENDPOINT_URL_SSO_OIDC / _SSO first, then AWS_ENDPOINT_URL', () => {
    assert.deepEqual(resolveSsoEndpoints(set, { AWS_ENDPOINT_URL_SSO_OIDC: 'http://env-oidc:1', AWS_ENDPOINT_URL_SSO: 'http://env-sso:1', AWS_ENDPOINT_URL: 'http://env-all:1' }, set.profiles.get('local')), { oidc: 'http://env-oidc:1', portal: 'http://env-sso:1' });
    assert.deepEqual(resolveSsoEndpoints(set, { AWS_ENDPOINT_URL: 'http://env-all:1' }, set.profiles.get('local')), { oidc: 'http://env-all:1', portal: 'http://env-all:1' });
  });

  it('then the profile\'s services section (sso_oidc, sso: botocore\'s snake-case service ids), then its endpoint_url', () => {
    assert.deepEqual(resolveSsoEndpoints(set, {}, set.profiles.get('local')), { oidc: 'http://oidc-endpoint:4510', portal: 'http://portal-endpoint:4511' });
    assert.deepEqual(resolveSsoEndpoints(set, {}, set.profiles.get('global-only')), { oidc: 'http://profile-endpoint:2', portal: 'http://profile-endpoint:2' });
  });

  it('uses the session\'s default profile (AWS_DEFAULT_PROFILE, AWS_PROFILE, default) when none is given; never the sso-session section', () => {
    assert.deepEqual(resolveSsoEndpoints(set, {}), { oidc: undefined, portal: undefined });
    assert.deepEqual(resolveSsoEndpoints(set, { AWS_PROFILE: 'local' }), { oidc: 'http://oidc-endpoint:4510', portal: 'http://portal-endpoint:4511' });
    assert.deepEqual(resolveSsoEndpoints(set, { AWS_PROFILE: 'local', AWS_DEFAULT_PROFILE: 'global-only' }).oidc, 'http://profile-endpoint:2');
  });

  it('ignores all of them with ignore_configured_endpoint_urls or AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', () => {
    assert.deepEqual(resolveSsoEndpoints(set, {}, set.profiles.get('ignoring')), { oidc: undefined, portal: undefined });
    assert.deepEqual(resolveSsoEndpoints(set, { AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true', AWS_ENDPOINT_URL: 'http://env-all:1' }, set.profiles.get('local')), { oidc: undefined, portal: undefined });
  });

  it('reads an sso-session as the CLI does, and refuses a missing one or one without its keys', () => {
    assert.deepEqual(ssoSessionFromConfig(set, 'corp', { AWS_PROFILE: 'local' }), {
      name: 'corp',
      startUrl: 'https://d-1234567890.awsapps.com/start',
      region: 'eu-west-1',
      scopes: ['sso:account:access', 'codewhisperer:completions'],
      endpoints: { oidc: 'http://oidc-endpoint:4510', portal: 'http://portal-endpoint:4511' },
    });
    assert.throws(() => ssoSessionFromConfig(set, 'nope', {}), (e: unknown) => e instanceof RoleSwitchError && /no \[sso-session nope\]/.test(e.message));
    assert.throws(() => ssoSessionFromConfig(set, 'broken', {}), /lacks sso_start_url/);
    assert.deepEqual(parseRegistrationScopes(' a ,, b,'), ['a', 'b']);
  });

  it('knows the AWS-owned portal hosts the CLI lists, and only follows a custom domain to one of them', async () => {
    for (const host of ['d-1234567890.awsapps.com', 'ssoins-1.portal.eu-west-1.app.aws', 'x.eu-west-1.portal.amazonaws.com', 'identitycenter.amazonaws.com', 'd-1.awsapps.cn', 'AWSAPPS.COM.']) assert.ok(isAwsOwnedHost(host), host);
    for (const host of ['sso.example.com', 'awsapps.com.evil.example', 'evilawsapps.com', 'amazonaws.com']) assert.ok(!isAwsOwnedHost(host), host);
    const probe = async () => 'https://ssoins-1.portal.eu-west-1.app.aws:443/start/?x=1#/';
    assert.equal(await resolveStartUrl('https://sso.example.com', probe), 'https://ssoins-1.portal.eu-west-1.app.aws/start');
    assert.equal(await resolveStartUrl('https://d-1234567890.awsapps.com/start', () => assert.fail('not probed')), 'https://d-1234567890.awsapps.com/start');
    assert.equal(await resolveStartUrl('http://127.0.0.2:4512/start', () => assert.fail('only https is probed')), 'http://127.0.0.2:4512/start');
    assert.equal(await resolveStartUrl('https://sso.example.com', async () => undefined), 'https://sso.example.com');
  });
});
