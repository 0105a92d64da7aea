/**
 * The loopback STS (test/support/loopbackSts.ts) against a client nobody here wrote: the AWS CLI v2
 * (/usr/bin/aws, Debian's awscli) signs with botocore, and the STS must accept the right secret
 * and refuse a wrong one, as AWS does.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { execFile } from 'child_process';
import { AWS_CLI_V2, requireAwsCliV2 } from '../support/externalTools';
import { LoopbackSts } from '../support/loopbackSts';

const ALICE = { arn: 'arn:aws:iam::111111111111:user/alice', accessKeyId: 'AKIAALICE00000000001', secretAccessKey: 'alice-secret-0123456789abcdefghijklmnopq' };

describe('LoopbackSts', function () {
  this.timeout(20_000);
  let sts: LoopbackSts;
  let url: string;

  beforeEach(async () => {
    sts = new LoopbackSts({ users: [ALICE], roles: [] });
    url = (await sts.start()).url;
  });
  afterEach(async () => {
    await sts.stop();
  });

  describe('with the real AWS CLI', () => {
    let tmp: string;
    before(() => {
      // Installed by scripts/install-test-deps.sh; a missing CLI is a failure, never a silent skip.
      requireAwsCliV2();
    });
    beforeEach(() => {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fakests-cli-'));
      fs.writeFileSync(path.join(tmp, 'config'), '');
      fs.writeFileSync(path.join(tmp, 'credentials'), '');
    });
    afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

    const runAws = (bin: string, secret: string) => {
      const env: NodeJS.ProcessEnv = {};
      for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_')) env[k] = v;
      Object.assign(env, {
        HOME: tmp,
        AWS_ACCESS_KEY_ID: ALICE.accessKeyId,
        AWS_SECRET_ACCESS_KEY: secret,
        AWS_CONFIG_FILE: path.join(tmp, 'config'),
        AWS_SHARED_CREDENTIALS_FILE: path.join(tmp, 'credentials'),
      });
      return new Promise<{ code: number; stdout: string; stderr: string }>(resolve => {
        execFile(bin, ['sts', 'get-caller-identity', '--endpoint-url', url, '--region', 'us-east-1', '--output', 'json'], { env, timeout: 60_000 },
          (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }));
      });
    };

    it('v2 (/usr/bin/aws) succeeds with the right secret and gets SignatureDoesNotMatch with a wrong one', async () => {
      const ok = await runAws(AWS_CLI_V2, ALICE.secretAccessKey);
      assert.strictEqual(ok.code, 0, ok.stderr);
      assert.strictEqual(JSON.parse(ok.stdout).Arn, ALICE.arn);
      const bad = await runAws(AWS_CLI_V2, 'wrong-secret');
      assert.notStrictEqual(bad.code, 0);
      assert.match(bad.stderr, /SignatureDoesNotMatch/);
      assert.deepStrictEqual(sts.requests.map(r => [r.status, r.region]), [[200, 'us-east-1'], [403, 'us-east-1']]);
    });
  });
});
