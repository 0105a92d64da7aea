/**
 * Copy Credentials against the AWS CLI v2 (/usr/bin/aws, Debian's awscli): every format that
 * `aws configure export-credentials --format X` has is byte for byte what the CLI prints.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { EXPORT_FORMATS, formatCredentials } from '../../src/core/delivery/exportFormats';
import type { Session } from '../../src/core/session/session';
import { roleSession, staticSession } from '../support/sessions';
import { cleanEnv } from '../support/awsCliV1';
import { AWS_CLI_V2, requireAwsCliV2 } from '../support/externalTools';

// Whole seconds an hour from now: the AWS CLI refuses to export credentials that have expired.
const IN_AN_HOUR = Math.floor(Date.now() / 1000) * 1000 + 3600_000;
// Characters a shell or PowerShell would treat specially, as real secrets and tokens have them.
const ROLE_SESSION = roleSession({ credentials: { accessKeyId: 'ASIAEXPORTEXAMPLE001', secretAccessKey: 'export/secret+key=0000000000000000000001', sessionToken: 'FwoGZXIvYXdzEexport+token/abc==' }, expiresAt: IN_AN_HOUR });
const LONG_TERM_KEYS = staticSession({ credentials: { accessKeyId: 'AKIAEXPORTEXAMPLE001', secretAccessKey: 'plain-secret' } });

describe('Copy Credentials: the formats of aws configure export-credentials', function () {
  this.timeout(60000);
  before(() => {
    requireAwsCliV2();
  });

  const cliExport = (s: Session, format: string) =>
    new Promise<string>((resolve, reject) => {
      const env: NodeJS.ProcessEnv = { ...cleanEnv(), HOME: '/nonexistent', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_ACCESS_KEY_ID: s.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: s.credentials.secretAccessKey };
      if (s.credentials.sessionToken) env.AWS_SESSION_TOKEN = s.credentials.sessionToken;
      if (s.expiresAt !== undefined) env.AWS_CREDENTIAL_EXPIRATION = new Date(s.expiresAt).toISOString();
      execFile(AWS_CLI_V2, ['configure', 'export-credentials', '--format', format], { env, encoding: 'utf8' }, (e, out, err) => (e ? reject(new Error(err)) : resolve(out)));
    });

  for (const f of EXPORT_FORMATS.filter((x) => x.cliFormat)) {
    for (const [what, s] of [['a role session', ROLE_SESSION], ['long-term keys', LONG_TERM_KEYS]] as const) {
      it(`${f.label} is byte for byte what the AWS CLI v2 prints (--format ${f.cliFormat}), for ${what}`, async () => {
        assert.equal(formatCredentials(s, f.id), await cliExport(s, f.cliFormat as string));
      });
    }
  }
});
