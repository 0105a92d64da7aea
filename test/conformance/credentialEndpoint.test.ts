/**
 * The loopback credential endpoint against the AWS CLI v2 (/usr/bin/aws, Debian's awscli): a
 * "terminal" that has only the endpoint's address and token gets the current session, and the
 * next one after a switch; without the right token it gets nothing.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { CredentialEndpoint } from '../../src/core/delivery/credentialEndpoint';
import type { Session } from '../../src/core/session/session';
import { cleanEnv } from '../support/awsCliV1';
import { AWS_CLI_V2, requireAwsCliV2 } from '../support/externalTools';
import { LoopbackSts } from '../support/loopbackSts';
import { issuedRoleSession } from '../support/sessions';

describe('The loopback credential endpoint (container credentials format)', function () {
  this.timeout(30000);
  const alice = { arn: 'arn:aws:iam::111111111111:user/alice', accessKeyId: 'AKIAENDPOINTALICE001', secretAccessKey: 'endpoint-alice-secret-0000000000000001' };
  let sts: LoopbackSts;
  let stsUrl: string;
  let current: Session | undefined;
  let endpoint: CredentialEndpoint;
  let url: string;

  before(async () => {
    requireAwsCliV2();
    sts = new LoopbackSts({ users: [alice], roles: [] });
    stsUrl = (await sts.start()).url;
    endpoint = new CredentialEndpoint(() => current);
    url = await endpoint.start();
  });
  after(async () => {
    await endpoint?.stop();
    await sts?.stop();
  });

  // The real AWS CLI v2 in a "terminal" that only has the endpoint's address and token.
  const cli = (token: string | undefined) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const env: NodeJS.ProcessEnv = { ...cleanEnv(), HOME: '/nonexistent', AWS_CONTAINER_CREDENTIALS_FULL_URI: url, AWS_DEFAULT_REGION: 'eu-west-1', AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };
      if (token) env.AWS_CONTAINER_AUTHORIZATION_TOKEN = token;
      execFile(AWS_CLI_V2, ['sts', 'get-caller-identity', '--endpoint-url', stsUrl, '--output', 'text', '--query', 'Arn'], { env, encoding: 'utf8', timeout: 20000 }, (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout: stdout.trim(), stderr }),
      );
    });

  it('the real AWS CLI gets the current session, and the next session after a switch, without a new terminal', async () => {
    current = issuedRoleSession(sts.issueRoleSession('arn:aws:iam::222222222222:role/First', 'me'), { profileName: 'first' });
    const a = await cli(endpoint.token);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(a.stdout, 'arn:aws:sts::222222222222:assumed-role/First/me');
    current = issuedRoleSession(sts.issueRoleSession('arn:aws:iam::222222222222:role/Second', 'me'), { profileName: 'second' });
    const b = await cli(endpoint.token);
    assert.equal(b.stdout, 'arn:aws:sts::222222222222:assumed-role/Second/me', b.stderr);
  });

  it('refuses a missing token (401) and a wrong one (403); the CLI gets no credentials', async () => {
    const before = { ...endpoint.served };
    const none = await cli(undefined);
    assert.notEqual(none.code, 0);
    const wrong = await cli('not-the-token');
    assert.notEqual(wrong.code, 0);
    assert.ok(endpoint.served.unauthorized > before.unauthorized);
    assert.ok(endpoint.served.forbidden > before.forbidden);
  });
});
