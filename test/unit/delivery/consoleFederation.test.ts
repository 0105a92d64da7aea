import * as assert from 'node:assert/strict';
import { buildConsoleUrl, consoleSessionSeconds, destinationUrl, type FetchJson } from '../../../src/core/delivery/consoleFederation';
import { RoleSwitchError } from '../../../src/core/errors';
import { FakeFederation } from '../../support/fakeFederation';
import { LoopbackSts } from '../../support/loopbackSts';
import { issuedRoleSession, roleSession, staticSession } from '../../support/sessions';

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
    assert.equal(destinationUrl(roleSession(), { startPage: '', region: '' }), 'https://console.aws.amazon.com/console/home?region=eu-west-1');
    assert.equal(destinationUrl(roleSession(), { startPage: 'ec2', region: 'us-east-2' }), 'https://console.aws.amazon.com/ec2/home?region=us-east-2');
    assert.equal(destinationUrl(roleSession({ roleArn: 'arn:aws-cn:iam::222222222222:role/Dev', region: 'cn-north-1' }), { startPage: 's3', region: '' }), 'https://console.amazonaws.cn/s3/home?region=cn-north-1');
    assert.equal(destinationUrl(roleSession({ roleArn: 'arn:aws-us-gov:iam::222222222222:role/Dev' }), { startPage: '', region: 'us-gov-west-1' }), 'https://console.amazonaws-us-gov.com/console/home?region=us-gov-west-1');
    assert.equal(destinationUrl(roleSession(), { startPage: 'https://console.aws.amazon.com/billing/home', region: '' }), 'https://console.aws.amazon.com/billing/home');
  });

  it('asks for 12 hours, or 1 hour for a role-chained session', () => {
    assert.equal(consoleSessionSeconds(roleSession()), 43200);
    assert.equal(consoleSessionSeconds(roleSession({ chained: true })), 3600);
  });

  it('explains what is needed for long-term keys, without calling the endpoint', async () => {
    let called = false;
    await assert.rejects(
      buildConsoleUrl(staticSession({ credentials: { accessKeyId: 'AKIA', secretAccessKey: 's' } }), { startPage: '', region: '', federationEndpoint: '', issuer: 'x' }, async () => {
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
      const s = issuedRoleSession(issued);
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
      await buildConsoleUrl(issuedRoleSession(chained, { chained: true }), { startPage: '', region: '', federationEndpoint: endpoint, issuer: 'x' }, fetchJson);
      assert.equal(federation.requests.at(-1)?.sessionDuration, 3600);
      await assert.rejects(buildConsoleUrl(roleSession(), { startPage: '', region: '', federationEndpoint: endpoint, issuer: 'x' }, fetchJson), /refused the credentials of "dev"/);
    } finally {
      await federation.stop();
      await sts.stop();
    }
  });
});
