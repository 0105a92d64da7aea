import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { cliCacheKey, readCliCache, writeCliCache } from '../../../src/core/credentials/cliCache';
import { makeTempDir, removeTempDir } from '../../support/awsFiles';
import { fullDiskFs } from '../../support/faultyFs';

const MFA = 'arn:aws:iam::111111111111:mfa/alice';

describe('core: the AWS CLI cache (~/.aws/cli/cache)', () => {
  let dir: string;
  before(async () => {
    dir = await makeTempDir('cli-cache-');
  });
  after(() => removeTempDir(dir));

  it('names entries as botocore does: the sha1 of the sorted JSON of the AssumeRole arguments (values pinned from Python)', () => {
    // What Python prints for these arguments (test/conformance/cliCache.test.ts runs Python itself):
    // hashlib.sha1(json.dumps(args, sort_keys=True).encode("utf-8")).hexdigest()
    const cases = [
      { request: { RoleArn: 'arn:aws:iam::222222222222:role/Admin', RoleSessionName: 'random-default' }, named: false, key: 'ca2ea1691dab30cf77d8c8376bc83724d49406a4' },
      { request: { RoleArn: 'arn:aws:iam::222222222222:role/Admin', RoleSessionName: 'alice', ExternalId: 'ext-é', DurationSeconds: 900, SerialNumber: MFA }, named: true, key: '14e71de9cfa4efd47c429dbb61d45532b85c5603' },
    ];
    for (const c of cases) assert.equal(cliCacheKey(c.request, c.named), c.key);
  });

  it('reads entries with more than 15 minutes left, in botocore\'s date format, and skips stale or broken ones', async () => {
    const now = Date.UTC(2026, 11, 1, 12, 0, 0);
    const write = (key: string, expiration: string) =>
      fs.writeFile(path.join(dir, `${key}.json`), JSON.stringify({ Credentials: { AccessKeyId: 'ASIACACHED', SecretAccessKey: 's', SessionToken: 't', Expiration: expiration }, AssumedRoleUser: { Arn: 'arn:aws:sts::222222222222:assumed-role/Admin/x' } }));
    await write('fresh', '2026-12-01T12:16:00UTC');
    await write('stale', '2026-12-01T12:14:00+00:00');
    await fs.writeFile(path.join(dir, 'broken.json'), '{');
    assert.equal((await readCliCache('fresh', now, dir))?.credentials.accessKeyId, 'ASIACACHED');
    assert.equal(await readCliCache('stale', now, dir), undefined);
    assert.equal(await readCliCache('broken', now, dir), undefined);
    assert.equal(await readCliCache('missing', now, dir), undefined);
  });

  it('writes entries atomically with mode 600, in a shape it reads back', async () => {
    const expiration = new Date(Date.now() + 3600_000);
    await writeCliCache('written', { credentials: { accessKeyId: 'ASIAWRITTEN', secretAccessKey: 's', sessionToken: 't', expiration }, assumedRoleArn: 'arn:aws:sts::1:assumed-role/A/b' }, dir);
    const stat = await fs.stat(path.join(dir, 'written.json'));
    assert.equal(stat.mode & 0o777, 0o600);
    assert.deepEqual((await fs.readdir(dir)).filter((f) => f.endsWith('.tmp')), []);
    const back = await readCliCache('written', Date.now(), dir);
    assert.equal(back?.credentials.expiration.getTime(), Math.floor(expiration.getTime() / 1000) * 1000);
  });

  it('leaves no temp file and the old entry when the disk is full (the shared atomic write)', async () => {
    const expiration = new Date(Date.now() + 3600_000);
    const role = { credentials: { accessKeyId: 'ASIAFULLDISK', secretAccessKey: 's', sessionToken: 't', expiration }, assumedRoleArn: 'arn:aws:sts::1:assumed-role/A/b' };
    await writeCliCache('full', role, dir);
    const before = await fs.readFile(path.join(dir, 'full.json'), 'utf8');
    const io = fullDiskFs();
    await assert.rejects(writeCliCache('full', { ...role, credentials: { ...role.credentials, accessKeyId: 'ASIANEWER' } }, dir, io), /ENOSPC/);
    assert.equal(io.opened.length, 1, 'the temp file was created before the write failed');
    assert.deepEqual((await fs.readdir(dir)).filter((f) => f.endsWith('.tmp')), []);
    assert.equal(await fs.readFile(path.join(dir, 'full.json'), 'utf8'), before);
  });
});
