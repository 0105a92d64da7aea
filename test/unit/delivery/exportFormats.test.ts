import * as assert from 'node:assert/strict';
import { formatCredentials } from '../../../src/core/delivery/exportFormats';
import type { Session } from '../../../src/core/session/resolveSession';

// Whole seconds an hour from now: the AWS CLI refuses to export credentials that have expired.
const IN_AN_HOUR = Math.floor(Date.now() / 1000) * 1000 + 3600_000;
const session = (over: Partial<Session> = {}): Session => ({
  profileName: 'dev',
  kind: 'role',
  credentials: { accessKeyId: 'ASIAEXPORTEXAMPLE001', secretAccessKey: 'export/secret+key=0000000000000000000001', sessionToken: 'FwoGZXIvYXdzEexport+token/abc==' },
  expiresAt: IN_AN_HOUR,
  startedAt: IN_AN_HOUR - 3600_000,
  region: 'eu-west-1',
  arn: 'arn:aws:sts::222222222222:assumed-role/Dev/alice',
  accountId: '222222222222',
  roleArn: 'arn:aws:iam::222222222222:role/Dev',
  chain: ['dev', 'base'],
  ...over,
});

describe('Copy Credentials: the formats of aws configure export-credentials', () => {
  it('fish uses set -x with the same variables', () => {
    const text = formatCredentials(session(), 'fish');
    assert.deepEqual(text.trim().split('\n').map((l) => l.split(' ').slice(0, 3).join(' ')), ['set -x AWS_ACCESS_KEY_ID', 'set -x AWS_SECRET_ACCESS_KEY', 'set -x AWS_SESSION_TOKEN', 'set -x AWS_CREDENTIAL_EXPIRATION']);
  });
});
