import * as assert from 'node:assert/strict';
import type { ProfileSet } from '../../../src/core/config/profiles';
import type { Env } from '../../../src/core/config/filePaths';
import { resolveRegion, resolveStsEndpoint } from '../../../src/core/credentials/stsEndpoint';
import { makeTempDir, profileSetFrom, removeTempDir } from '../../support/awsFiles';

describe('core/stsEndpoint', () => {
  let dir: string;
  let set: ProfileSet;
  before(async () => {
    dir = await makeTempDir();
    set = await profileSetFrom(dir, `
      [profile plain]
      region = eu-north-1

      [profile with-services]
      services = local
      endpoint_url = http://profile-endpoint:1

      [profile with-url]
      endpoint_url = http://profile-endpoint:2

      [profile ignoring]
      services = local
      endpoint_url = http://profile-endpoint:3
      ignore_configured_endpoint_urls = true

      [profile other-services]
      services = s3-only

      [services local]
      sts =
        endpoint_url = http://services-endpoint:4566

      [services s3-only]
      s3 =
        endpoint_url = http://s3-endpoint:9000
    `);
  });
  after(async () => {
    await removeTempDir(dir);
  });
  const p = (name: string) => set.profiles.get(name)!;
  const endpoint = (name: string, env: Env = {}) => resolveStsEndpoint(set, p(name), env);

  it('is undefined (the SDK default) when nothing is configured', () => {
    assert.equal(endpoint('plain'), undefined);
  });

  it('AWS_ENDPOINT_URL_STS wins over everything', () => {
    assert.equal(endpoint('with-services', { AWS_ENDPOINT_URL_STS: 'http://env-sts:1', AWS_ENDPOINT_URL: 'http://env-all:1' }), 'http://env-sts:1');
  });

  it('AWS_ENDPOINT_URL comes next', () => {
    assert.equal(endpoint('with-services', { AWS_ENDPOINT_URL: 'http://env-all:1' }), 'http://env-all:1');
  });

  it('then the profile\'s services section sts endpoint_url', () => {
    assert.equal(endpoint('with-services'), 'http://services-endpoint:4566');
  });

  it('then the profile\'s endpoint_url', () => {
    assert.equal(endpoint('with-url'), 'http://profile-endpoint:2');
  });

  it('a services section without sts does not apply to STS', () => {
    assert.equal(endpoint('other-services'), undefined);
  });

  it('ignore_configured_endpoint_urls in the profile turns all of them off', () => {
    assert.equal(endpoint('ignoring', { AWS_ENDPOINT_URL_STS: 'http://env-sts:1' }), undefined);
  });

  it('AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true turns all of them off', () => {
    assert.equal(endpoint('with-services', { AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'TRUE', AWS_ENDPOINT_URL: 'http://env-all:1' }), undefined);
    assert.equal(endpoint('with-url', { AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'false' }), 'http://profile-endpoint:2');
  });

  it('resolveRegion: AWS_REGION, then AWS_DEFAULT_REGION, then the profile region (as the CLI and SDKs), then us-east-1', () => {
    assert.equal(resolveRegion(p('plain'), {}), 'eu-north-1');
    assert.equal(resolveRegion(p('plain'), { AWS_REGION: 'eu-west-3' }), 'eu-west-3');
    assert.equal(resolveRegion(p('plain'), { AWS_DEFAULT_REGION: 'eu-south-1' }), 'eu-south-1');
    assert.equal(resolveRegion(p('with-url'), { AWS_REGION: 'eu-west-3', AWS_DEFAULT_REGION: 'eu-south-1' }), 'eu-west-3');
    assert.equal(resolveRegion(p('with-url'), { AWS_DEFAULT_REGION: 'eu-south-1' }), 'eu-south-1');
    assert.equal(resolveRegion(p('with-url'), {}), 'us-east-1');
  });
});
