import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { buildProfileSet } from '../../../src/core/config/profiles';
import { expandHome, loadAwsFiles, resolveAwsFilePaths } from '../../../src/core/config/sharedFiles';
import { ini, makeTempDir, removeTempDir } from '../../support/awsFiles';
import { assertOurReading, readCase, READING_CASES } from '../../support/readingCases';

describe('core/awsFiles', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await makeTempDir();
  });
  afterEach(async () => {
    await removeTempDir(dir);
  });

  describe('resolveAwsFilePaths', () => {
    const home = path.resolve('/home/tester');

    it('defaults to ~/.aws/config and ~/.aws/credentials', () => {
      assert.deepEqual(resolveAwsFilePaths({}, {}, home), {
        configPath: path.join(home, '.aws', 'config'),
        credentialsPath: path.join(home, '.aws', 'credentials'),
      });
    });

    it('uses AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE over the defaults', () => {
      const paths = resolveAwsFilePaths({}, { AWS_CONFIG_FILE: '/etc/aws/cfg', AWS_SHARED_CREDENTIALS_FILE: '/etc/aws/creds' }, home);
      assert.equal(paths.configPath, path.resolve('/etc/aws/cfg'));
      assert.equal(paths.credentialsPath, path.resolve('/etc/aws/creds'));
    });

    it('lets the settings win over the environment', () => {
      const paths = resolveAwsFilePaths(
        { configFile: '/settings/config', credentialsFile: '/settings/credentials' },
        { AWS_CONFIG_FILE: '/env/config', AWS_SHARED_CREDENTIALS_FILE: '/env/credentials' },
        home,
      );
      assert.equal(paths.configPath, path.resolve('/settings/config'));
      assert.equal(paths.credentialsPath, path.resolve('/settings/credentials'));
    });

    it('chooses each file independently', () => {
      const paths = resolveAwsFilePaths({ configFile: '/settings/config' }, { AWS_SHARED_CREDENTIALS_FILE: '/env/credentials' }, home);
      assert.equal(paths.configPath, path.resolve('/settings/config'));
      assert.equal(paths.credentialsPath, path.resolve('/env/credentials'));
    });

    it('treats blank settings as unset', () => {
      const paths = resolveAwsFilePaths({ configFile: '   ' }, { AWS_CONFIG_FILE: '/env/config' }, home);
      assert.equal(paths.configPath, path.resolve('/env/config'));
    });

    it('expands ~ in settings and in environment variables', () => {
      const paths = resolveAwsFilePaths({ configFile: '~/work/aws-config' }, { AWS_SHARED_CREDENTIALS_FILE: '~/secrets/creds' }, home);
      assert.equal(paths.configPath, path.join(home, 'work', 'aws-config'));
      assert.equal(paths.credentialsPath, path.join(home, 'secrets', 'creds'));
    });

    it('expandHome only expands a leading ~ or ~/', () => {
      assert.equal(expandHome('~', home), home);
      assert.equal(expandHome('~/a/b', home), path.join(home, 'a', 'b'));
      assert.equal(expandHome('/x/~/y', home), '/x/~/y');
      assert.equal(expandHome('~other/x', home), '~other/x');
    });
  });

  describe('loadAwsFiles', () => {
    it('reads both files and reports ok', async () => {
      const configPath = path.join(dir, 'config');
      const credentialsPath = path.join(dir, 'credentials');
      await fs.writeFile(configPath, ini(`
        [profile a]
        region = eu-west-1
      `));
      await fs.writeFile(credentialsPath, ini(`
        [a]
        aws_access_key_id = AKIAAAAAAAAAAAAAAAAA
        aws_secret_access_key = s
      `));
      const files = await loadAwsFiles({ configPath, credentialsPath });
      assert.equal(files.config.status, 'ok');
      assert.equal(files.credentials.status, 'ok');
      assert.deepEqual(files.configSections, { a: { region: 'eu-west-1' } });
      assert.equal(files.credentialsSections.a?.aws_access_key_id, 'AKIAAAAAAAAAAAAAAAAA');
    });

    it('reports a missing file as missing, without an error, and still reads the other', async () => {
      const configPath = path.join(dir, 'config');
      await fs.writeFile(configPath, '[default]\nregion = us-east-2\n');
      const files = await loadAwsFiles({ configPath, credentialsPath: path.join(dir, 'nope', 'credentials') });
      assert.equal(files.credentials.status, 'missing');
      assert.equal(files.credentials.error, undefined);
      assert.deepEqual(files.credentialsSections, {});
      assert.equal(files.config.status, 'ok');
      assert.equal(files.configSections.default?.region, 'us-east-2');
    });

    it('reports a directory as an error whose message names the path', async () => {
      const configPath = path.join(dir, 'config-dir');
      await fs.mkdir(configPath);
      const files = await loadAwsFiles({ configPath, credentialsPath: path.join(dir, 'credentials') });
      assert.equal(files.config.status, 'error');
      assert.ok(files.config.error?.includes(configPath), files.config.error);
      assert.match(files.config.error ?? '', /is a directory/);
      assert.deepEqual(files.configSections, {});
    });

    it('re-reads a file after it changed (no stale cache)', async () => {
      const configPath = path.join(dir, 'config');
      const credentialsPath = path.join(dir, 'credentials');
      await fs.writeFile(configPath, '[profile one]\nregion = a\n');
      const first = await loadAwsFiles({ configPath, credentialsPath });
      await fs.writeFile(configPath, '[profile two]\nregion = b\n');
      const second = await loadAwsFiles({ configPath, credentialsPath });
      assert.deepEqual(Object.keys(first.configSections), ['one']);
      assert.deepEqual(Object.keys(second.configSections), ['two']);
    });

    it('feeds buildProfileSet with file states intact', async () => {
      const set = buildProfileSet(await loadAwsFiles({ configPath: path.join(dir, 'c'), credentialsPath: path.join(dir, 'k') }));
      assert.equal(set.files.paths.configPath, path.join(dir, 'c'));
      assert.equal(set.profiles.size, 0);
    });
  });
});

describe('core/awsFiles: the reading cases of the AWS CLI corpus (test/support/readingCases.ts)', () => {
  // test/conformance/cliReading.test.ts reads the same cases with the AWS CLI v2's botocore too.
  let dir: string;
  before(async () => {
    dir = await makeTempDir('reading-cases-');
  });
  after(() => removeTempDir(dir));

  for (const c of READING_CASES) {
    it(c.name, async () => {
      assertOurReading(c, await readCase(dir, c));
    });
  }
});
