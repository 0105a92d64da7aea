import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { deleteToken, formatSsoTimestamp, parseSsoTimestamp, readToken, serializeToken, ssoCacheDir, tokenCacheKey, tokenFilePath, writeToken, type SsoToken } from '../../../../src/core/credentials/sso/tokenCache';
import { makeTempDir, removeTempDir } from '../../../support/awsFiles';
import { fullDiskFs } from '../../../support/faultyFs';

const START_URL = 'https://d-1234567890.awsapps.com/start';

describe('core: the IAM Identity Center token file (~/.aws/sso/cache)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await makeTempDir('sso-cache-');
  });
  afterEach(() => removeTempDir(dir));

  it('names the file as botocore does: sha1 of the sso-session name, or of the start URL for a legacy profile (values from Python\'s hashlib)', () => {
    // Both values computed once, outside this test, with Python's hashlib.sha1(...).hexdigest(); the test runs nothing but Node.
    assert.equal(tokenCacheKey({ name: 'corp', startUrl: START_URL }), 'ee0bfd2552fbd840c02cc48b6e823320543c450f');
    assert.equal(tokenCacheKey({ startUrl: 'https://my-sso-portal.awsapps.com/start' }), 'c7aaaf71fcc8777ae2475525ed049d39fe16c484');
    assert.equal(tokenFilePath({ name: 'corp', startUrl: START_URL }, dir), path.join(dir, 'ee0bfd2552fbd840c02cc48b6e823320543c450f.json'));
    assert.equal(ssoCacheDir('/home/alice'), path.join('/home/alice', '.aws', 'sso', 'cache'));
  });

  it('writes the text the AWS CLI writes: its key order, Python\'s separators and \\u escapes, timestamps as %Y-%m-%dT%H:%M:%SZ', () => {
    const token: SsoToken = {
      startUrl: START_URL,
      region: 'eu-west-1',
      accessToken: 'access-é/+=',
      expiresAt: Date.UTC(2025, 0, 15, 20, 0, 0, 123),
      clientId: 'client-1',
      clientSecret: 'secret-1',
      registrationExpiresAt: Date.UTC(2025, 3, 15, 12, 0, 0),
      refreshToken: 'refresh-1',
    };
    // What json.dumps(token, default=_serialize_utc_timestamp) prints in Python for the same values.
    const python = '{"startUrl": "https://d-1234567890.awsapps.com/start", "region": "eu-west-1", "accessToken": "access-\\u00e9/+=", "expiresAt": "2025-01-15T20:00:00Z", "clientId": "client-1", "clientSecret": "secret-1", "registrationExpiresAt": "2025-04-15T12:00:00Z", "refreshToken": "refresh-1"}';
    assert.equal(serializeToken(token), python);
    assert.equal(formatSsoTimestamp(Date.UTC(2026, 11, 31, 23, 59, 59, 999)), '2026-12-31T23:59:59Z');
  });

  it('round-trips through the file, atomically, mode 600, leaving no temp file', async () => {
    const file = tokenFilePath({ name: 'corp', startUrl: START_URL }, path.join(dir, 'sso', 'cache'));
    const token: SsoToken = { startUrl: START_URL, region: 'eu-west-1', accessToken: 'a'.repeat(40), expiresAt: Date.UTC(2025, 0, 15, 20, 0, 0), clientId: 'c', clientSecret: 's', registrationExpiresAt: Date.UTC(2025, 3, 15), refreshToken: 'r' };
    await writeToken(file, token);
    assert.deepEqual(await readToken(file), token);
    assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
    assert.deepEqual(await fs.readdir(path.dirname(file)), [path.basename(file)]);
    // A token without a refresh token (legacy) has no refreshToken key at all, as the CLI writes it.
    await writeToken(file, { ...token, refreshToken: undefined });
    assert.ok(!(await fs.readFile(file, 'utf8')).includes('refreshToken'));
  });

  it('keeps the old file and leaves no temp file when the disk is full', async () => {
    const file = path.join(dir, 'x.json');
    const token: SsoToken = { startUrl: START_URL, region: 'eu-west-1', accessToken: 'old-token', expiresAt: Date.UTC(2025, 0, 15) };
    await writeToken(file, token);
    await assert.rejects(writeToken(file, { ...token, accessToken: 'new-token' }, fullDiskFs()), /ENOSPC/);
    assert.equal((await readToken(file))?.accessToken, 'old-token');
    assert.deepEqual(await fs.readdir(dir), ['x.json']);
  });

  it('reads the timestamp shapes other writers leave (as dateutil parses them), and refuses what is not one', () => {
    const noon = Date.UTC(2025, 0, 15, 12, 0, 0);
    for (const text of ['2025-01-15T12:00:00Z', '2025-01-15T12:00:00UTC', '2025-01-15T12:00:00+00:00', '2025-01-15T12:00:00+0000', '2025-01-15T12:00:00.000Z', '2025-01-15 12:00:00Z', '2025-01-15T12:00:00', '2025-01-15T14:00:00+02:00', '2025-01-15T07:00:00-05:00', '2025-01-15t12:00:00z']) {
      assert.equal(parseSsoTimestamp(text), noon, text);
    }
    assert.equal(parseSsoTimestamp('2025-01-15T12:00:00.5Z'), noon + 500);
    for (const bad of ['', 'soon', 1736942400, '2025-01-15', undefined]) assert.equal(parseSsoTimestamp(bad), undefined, String(bad));
  });

  it('reads files the CLI, the JS SDK and older botocore wrote; a file without accessToken or expiresAt is no token', async () => {
    const file = path.join(dir, 't.json');
    const write = (data: unknown) => fs.writeFile(file, JSON.stringify(data));
    await write({ startUrl: START_URL, region: 'eu-west-1', accessToken: 'tok', expiresAt: '2025-01-15T12:00:00UTC' });
    assert.deepEqual(await readToken(file), { startUrl: START_URL, region: 'eu-west-1', accessToken: 'tok', expiresAt: Date.UTC(2025, 0, 15, 12), clientId: undefined, clientSecret: undefined, registrationExpiresAt: undefined, refreshToken: undefined });
    await write({ accessToken: 'tok', expiresAt: '2025-01-15T12:00:00.000Z', registrationExpiresAt: '2025-04-15T12:00:00+00:00', refreshToken: 'r', clientId: 'c', clientSecret: 's', scopes: ['sso:account:access'] });
    assert.equal((await readToken(file))?.registrationExpiresAt, Date.UTC(2025, 3, 15, 12));
    await write({ accessToken: 'tok' });
    assert.equal(await readToken(file), undefined);
    await write({ expiresAt: '2025-01-15T12:00:00Z' });
    assert.equal(await readToken(file), undefined);
    await fs.writeFile(file, '{not json');
    assert.equal(await readToken(file), undefined);
    assert.equal(await readToken(path.join(dir, 'missing.json')), undefined);
  });

  it('deletes the file, and says whether there was one', async () => {
    const file = path.join(dir, 'd.json');
    await fs.writeFile(file, '{}');
    assert.equal(await deleteToken(file), true);
    assert.equal(await deleteToken(file), false);
  });
});
