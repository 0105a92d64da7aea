import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { CredentialEndpoint } from '../../../src/core/delivery/credentialEndpoint';
import type { Session } from '../../../src/core/session/session';
import { roleSession } from '../../support/sessions';

function get(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}

describe('The loopback credential endpoint (container credentials format)', function () {
  this.timeout(30000);
  let current: Session | undefined;
  let endpoint: CredentialEndpoint;
  let url: string;

  const sessionFor = (accessKeyId: string, roleName: string): Session =>
    roleSession({
      profileName: roleName.toLowerCase(),
      credentials: { accessKeyId, secretAccessKey: `${roleName}-secret`, sessionToken: `${roleName}-token` },
      expiresAt: Date.UTC(2030, 0, 1, 12, 0, 0),
      arn: `arn:aws:sts::222222222222:assumed-role/${roleName}/me`,
      roleArn: `arn:aws:iam::222222222222:role/${roleName}`,
    });

  before(async () => {
    endpoint = new CredentialEndpoint(() => current);
    url = await endpoint.start();
  });
  after(async () => {
    await endpoint.stop();
  });

  it('binds 127.0.0.1 only, on a random path', () => {
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/credentials\/[0-9a-f]{16}$/);
  });

  it('serves the current session in the container credentials format, and the next session after a switch', async () => {
    current = sessionFor('ASIAENDPOINTFIRST001', 'First');
    const a = await get(url, { Authorization: endpoint.token });
    assert.equal(a.status, 200, a.body);
    assert.deepEqual(JSON.parse(a.body), {
      AccessKeyId: 'ASIAENDPOINTFIRST001',
      SecretAccessKey: 'First-secret',
      Token: 'First-token',
      Expiration: '2030-01-01T12:00:00Z',
      AccountId: '222222222222',
      RoleArn: 'arn:aws:iam::222222222222:role/First',
    });
    current = sessionFor('ASIAENDPOINTSECOND01', 'Second');
    const b = await get(url, { Authorization: endpoint.token });
    assert.equal((JSON.parse(b.body) as { AccessKeyId: string }).AccessKeyId, 'ASIAENDPOINTSECOND01');
  });

  it('refuses a missing token (401) and a wrong one (403), with no credentials in a refusal', async () => {
    current = sessionFor('ASIAENDPOINTFIRST001', 'First');
    const before = { ...endpoint.served };
    assert.equal((await get(url, {})).status, 401);
    const denied = await get(url, { Authorization: 'x'.repeat(43) });
    assert.equal(denied.status, 403);
    assert.ok(!denied.body.includes('ASIA'), 'no credentials in a refusal');
    assert.equal(endpoint.served.unauthorized, before.unauthorized + 1);
    assert.equal(endpoint.served.forbidden, before.forbidden + 1);
  });

  it('refuses a request whose Host is not loopback (DNS rebinding), even with the token', async () => {
    const res = await get(url, { Authorization: endpoint.token, Host: 'attacker.example:80' });
    assert.equal(res.status, 403);
    assert.ok(!res.body.includes('ASIA'));
  });

  it('says so when no role is active', async () => {
    current = undefined;
    const res = await get(url, { Authorization: endpoint.token });
    assert.equal(res.status, 404);
    assert.match(res.body, /No AWS role is active/);
  });
});
