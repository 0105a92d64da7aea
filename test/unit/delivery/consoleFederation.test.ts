import * as assert from 'node:assert/strict';
import { buildConsoleUrl, consoleSessionSeconds, destinationUrl, type FetchJson } from '../../../src/core/delivery/consoleFederation';
import { RoleSwitchError } from '../../../src/core/errors';
import type { Session } from '../../../src/core/session/resolveSession';
import { FakeFederation } from '../../support/fakeFederation';
import { LoopbackSts } from '../../support/loopbackSts';

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

describe('Open Console as Role: the federation sign-in URL', function () {
  this.timeout(30000);
  const fetchJson: FetchJson = async (url) => {
    const res = await fetch(url);
    const text = await res.text();
    try {
      return { status: res.status, body: JSON.parse(text) };
    } catch {
      return { status: res.status, body: undefined };
    }
  };

  it('lands on the right console of each partition, on a service or a URL', () => {
    assert.equal(destinationUrl(session(), { startPage: '', region: '' }), 'https://console.aws.amazon.com/console/home?region=eu-west-1');
    assert.equal(destinationUrl(session(), { startPage: 'ec2', region: 'us-east-2' }), 'https://console.aws.amazon.com/ec2/home?region=us-east-2');
    assert.equal(destinationUrl(session({ roleArn: 'arn:aws-cn:iam::222222222222:role/Dev', region: 'cn-north-1' }), { startPage: 's3', region: '' }), 'https://console.amazonaws.cn/s3/home?region=cn-north-1');
    assert.equal(destinationUrl(session({ roleArn: 'arn:aws-us-gov:iam::222222222222:role/Dev' }), { startPage: '', region: 'us-gov-west-1' }), 'https://console.amazonaws-us-gov.com/console/home?region=us-gov-west-1');
    assert.equal(destinationUrl(session(), { startPage: 'https://console.aws.amazon.com/billing/home', region: '' }), 'https://console.aws.amazon.com/billing/home');
  });

  it('asks for 12 hours, or 1 hour for a role-chained session', () => {
    assert.equal(consoleSessionSeconds(session()), 43200);
    assert.equal(consoleSessionSeconds(session({ chained: true })), 3600);
  });

  it('explains what is needed for long-term keys, without calling the endpoint', async () => {
    let called = false;
    await assert.rejects(
      buildConsoleUrl(session({ kind: 'static', credentials: { accessKeyId: 'AKIA', secretAccessKey: 's' } }), { startPage: '', region: '', federationEndpoint: '', issuer: 'x' }, async () => {
        called = true;
        return { status: 200, body: {} };
      }),
      (e: RoleSwitchError) => /long-term IAM user keys/.test(e.message) && /assume a role/.test(e.message),
    );
    assert.equal(called, false);
  });

  it('against the local federation fake: getSigninToken with the session, then a login URL with its token', async () => {
    const alice = { arn: 'arn:aws:iam::111111111111:user/alice', accessKeyId: 'AKIAFEDERATIONALICE1', secretAccessKey: 'federation-alice-secret-000000000000001' };
    const sts = new LoopbackSts({ users: [alice], roles: [] });
    await sts.start();
    const federation = new FakeFederation(sts);
    const endpoint = await federation.start();
    try {
      const issued = sts.issueRoleSession('arn:aws:iam::222222222222:role/Dev', 'alice');
      const s = session({ credentials: { accessKeyId: issued.accessKeyId, secretAccessKey: issued.secretAccessKey, sessionToken: issued.sessionToken }, expiresAt: issued.expiresAt });
      const { url, sessionSeconds } = await buildConsoleUrl(s, { startPage: 'ec2', region: '', federationEndpoint: endpoint, issuer: 'AWS Role Switcher' }, fetchJson);
      assert.equal(sessionSeconds, 43200);
      assert.deepEqual(federation.requests.map((r) => [r.action, r.status, r.sessionDuration, r.sessionArn]), [['getSigninToken', 200, 43200, issued.arn]]);
      const u = new URL(url);
      assert.equal(`${u.origin}${u.pathname}`, endpoint);
      assert.equal(u.searchParams.get('Action'), 'login');
      assert.equal(u.searchParams.get('Issuer'), 'AWS Role Switcher');
      assert.equal(u.searchParams.get('Destination'), 'https://console.aws.amazon.com/ec2/home?region=eu-west-1');
      assert.ok(federation.issuedToken(u.searchParams.get('SigninToken') ?? ''), 'the token the endpoint issued');
      assert.ok(!url.includes(issued.secretAccessKey) && !url.includes(encodeURIComponent(issued.secretAccessKey)), 'the login URL holds no key');
      // A chained session asking for 12 hours would be refused: we ask for one.
      const chained = sts.issueRoleSession('arn:aws:iam::222222222222:role/Dev', 'alice');
      await buildConsoleUrl(session({ chained: true, credentials: { accessKeyId: chained.accessKeyId, secretAccessKey: chained.secretAccessKey, sessionToken: chained.sessionToken } }), { startPage: '', region: '', federationEndpoint: endpoint, issuer: 'x' }, fetchJson);
      assert.equal(federation.requests.at(-1)?.sessionDuration, 3600);
      await assert.rejects(buildConsoleUrl(session(), { startPage: '', region: '', federationEndpoint: endpoint, issuer: 'x' }, fetchJson), /refused the credentials of "dev"/);
    } finally {
      await federation.stop();
      await sts.stop();
    }
  });
});
