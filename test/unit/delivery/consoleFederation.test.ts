import * as assert from 'node:assert/strict';
import { buildConsoleUrl, consoleSessionSeconds, destinationUrl, type PostForm } from '../../../src/core/delivery/consoleFederation';
import { RoleSwitchError } from '../../../src/core/errors';
import { encodedForms } from '../../../src/core/redact';
import { FakeFederation } from '../../support/fakeFederation';
import { LoopbackSts } from '../../support/loopbackSts';
import { issuedRoleSession, roleSession, staticSession } from '../../support/sessions';

describe('Open Console as Role: the federation sign-in URL', function () {
  this.timeout(30000);
  // What the adapter does: a form POST, the session in the body.
  const fetchJson: PostForm = async (url, form) => {
    const res = await fetch(url, { method: 'POST', body: form, redirect: 'manual' });
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
    assert.equal(destinationUrl(roleSession(), { startPage: 'https://eu-west-1.console.aws.amazon.com/ec2/home', region: '' }), 'https://eu-west-1.console.aws.amazon.com/ec2/home');
  });

  it('refuses a start page outside the partition\'s console, where the sign-in token would go', () => {
    for (const page of ['https://evil.example/console', 'https://console.aws.amazon.com.evil.example/', 'https://user@console.aws.amazon.com/', 'https://console.aws.amazon.com:8443/', 'https://console.amazonaws.cn/s3/home']) {
      assert.throws(() => destinationUrl(roleSession(), { startPage: page, region: '' }), (e: unknown) => e instanceof RoleSwitchError && /is not a page of the AWS console/.test(e.message), page);
    }
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
      // Credentials that still live 12 hours: the console session may last the 12 hours federation allows.
      const now = issued.expiresAt - 43200_000;
      const { url, sessionSeconds } = await buildConsoleUrl(s, { startPage: 'ec2', region: '', federationEndpoint: endpoint, issuer: 'AWS Role Switcher' }, fetchJson, now);
      assert.equal(sessionSeconds, 43200);
      assert.deepEqual(federation.requests.map((r) => [r.action, r.method, r.status, r.sessionDuration, r.sessionArn]), [['getSigninToken', 'POST', 200, 43200, issued.arn]]);
      const u = new URL(url);
      assert.equal(`${u.origin}${u.pathname}`, endpoint);
      assert.equal(u.searchParams.get('Action'), 'login');
      assert.equal(u.searchParams.get('Issuer'), 'AWS Role Switcher');
      assert.equal(u.searchParams.get('Destination'), 'https://console.aws.amazon.com/ec2/home?region=eu-west-1');
      assert.ok(federation.issuedToken(u.searchParams.get('SigninToken') ?? ''), 'the token the endpoint issued');
      assert.ok(!url.includes(issued.secretAccessKey) && !url.includes(encodeURIComponent(issued.secretAccessKey)), 'the login URL holds no key');
      // A chained session asking for 12 hours would be refused: we ask for one.
      const chained = sts.issueRoleSession('arn:aws:iam::222222222222:role/Dev', 'alice');
      await buildConsoleUrl(issuedRoleSession(chained, { chained: true }), { startPage: '', region: '', federationEndpoint: endpoint, issuer: 'x' }, fetchJson, chained.expiresAt - 43200_000);
      assert.equal(federation.requests.at(-1)?.sessionDuration, 3600);
      await assert.rejects(buildConsoleUrl(roleSession(), { startPage: '', region: '', federationEndpoint: endpoint, issuer: 'x' }, fetchJson), /refused the credentials of "dev"/);
    } finally {
      await federation.stop();
      await sts.stop();
    }
  });

  it('sends the session in a POST form body, never in the URL, and the strict fake refuses it in a query string', async () => {
    const issued = { accessKeyId: 'ASIAPOSTBODYTEST0001', secretAccessKey: 'post/body+secret=0000000000000000000000001', sessionToken: 'IQoJpostbodytoken/+=' + 'T'.repeat(120), expiresAt: Date.UTC(2030, 0, 1), arn: 'arn:aws:sts::222222222222:assumed-role/Dev/alice' };
    const seen: { url: string; form?: URLSearchParams }[] = [];
    await buildConsoleUrl(issuedRoleSession(issued), { startPage: '', region: '', federationEndpoint: 'https://signin.example.test/federation', issuer: 'x' }, async (url, form) => {
      seen.push({ url, form });
      return { status: 200, body: { SigninToken: 'tok' } };
    });
    assert.equal(seen.length, 1);
    assert.equal(seen[0].url, 'https://signin.example.test/federation', 'the URL is the bare endpoint');
    for (const secret of [issued.secretAccessKey, issued.sessionToken]) for (const form of encodedForms(secret)) assert.ok(!seen[0].url.includes(form), 'no secret in the URL');
    assert.equal(seen[0].form?.get('Action'), 'getSigninToken');
    assert.deepEqual(JSON.parse(seen[0].form?.get('Session') ?? '{}'), { sessionId: issued.accessKeyId, sessionKey: issued.secretAccessKey, sessionToken: issued.sessionToken });

    // The stand-in refuses what the old request looked like: the session in the query string.
    const alice = { arn: 'arn:aws:iam::111111111111:user/alice', accessKeyId: 'AKIAFEDERATIONALICE2', secretAccessKey: 'federation-alice-secret-000000000000002' };
    const sts = new LoopbackSts({ users: [alice], roles: [] });
    await sts.start();
    const federation = new FakeFederation(sts);
    const endpoint = await federation.start();
    try {
      const role = sts.issueRoleSession('arn:aws:iam::222222222222:role/Dev', 'alice');
      const session = JSON.stringify({ sessionId: role.accessKeyId, sessionKey: role.secretAccessKey, sessionToken: role.sessionToken });
      const res = await fetch(`${endpoint}?Action=getSigninToken&SessionDuration=3600&Session=${encodeURIComponent(session)}`);
      assert.equal(res.status, 400);
      assert.equal(federation.requests.at(-1)?.sessionInQuery, true);
      const post = (duration: string) => fetch(endpoint, { method: 'POST', body: new URLSearchParams({ Action: 'getSigninToken', SessionDuration: duration, Session: session }) });
      assert.equal((await post('3600')).status, 200);
      for (const bad of ['899', '43201', '3600.5', '1e4', '']) assert.equal((await post(bad)).status, 400, `SessionDuration ${JSON.stringify(bad)} is refused`);
    } finally {
      await federation.stop();
      await sts.stop();
    }
  });

  it('asks for a console session no longer than the credentials still live (at least the 15 minutes federation requires)', async () => {
    const durations: (string | null | undefined)[] = [];
    const post: PostForm = async (_url, form) => {
      durations.push(form?.get('SessionDuration'));
      return { status: 200, body: { SigninToken: 'tok' } };
    };
    const s = roleSession(); // expires one hour after SESSION_START
    const expiresAt = s.expiresAt ?? 0;
    const options = { startPage: '', region: '', federationEndpoint: '', issuer: 'x' };
    assert.equal((await buildConsoleUrl(s, options, post, expiresAt - 1800_000)).sessionSeconds, 1800);
    assert.equal((await buildConsoleUrl(s, options, post, expiresAt - 300_000)).sessionSeconds, 900);
    assert.equal((await buildConsoleUrl(roleSession({ chained: true, expiresAt: expiresAt + 5 * 3600_000 }), options, post, expiresAt)).sessionSeconds, 3600);
    assert.deepEqual(durations, ['1800', '900', '3600']);
  });

  describe('the configured federation endpoint is checked before any credential is sent', () => {
    const issued = { accessKeyId: 'ASIAENDPOINTCHECK001', secretAccessKey: 'endpoint/check+secret=00000000000000000001', sessionToken: 'IQoJendpointchecktoken/+=' + 'Q'.repeat(120), expiresAt: Date.UTC(2030, 0, 1), arn: 'arn:aws:sts::222222222222:assumed-role/Dev/alice' };
    const secrets = [issued.accessKeyId, issued.secretAccessKey, issued.sessionToken];
    const noSecretIn = (text: string) => secrets.every((secret) => [...encodedForms(secret)].every((form) => !text.includes(form)));
    // Behaves like fetch on a URL it cannot use: its error quotes the URL it was given.
    const quotingTransport: PostForm = async (url) => {
      throw new TypeError(`Failed to parse URL from ${url}`);
    };

    for (const bad of ['signin.example.test/federation', 'http://signin.example.test/federation', 'ftp://signin.example.test/federation', 'https://user:pw@signin.example.test/federation', 'https://signin.example.test/federation?x=1']) {
      it(`refuses ${JSON.stringify(bad)} and sends nothing, with no secret in the message`, async () => {
        let called = false;
        const error = await buildConsoleUrl(issuedRoleSession(issued), { startPage: '', region: '', federationEndpoint: bad, issuer: 'x' }, async (url, form) => {
          called = true;
          return quotingTransport(url, form);
        }).then(
          () => assert.fail('should fail'),
          (e: Error) => e,
        );
        assert.equal(called, false, 'nothing was sent');
        assert.ok(noSecretIn(error.message), 'no secret, in any encoding, in the message');
        assert.match(error.message, /awsRoles\.console\.federationEndpoint/);
      });
    }

    it('accepts https:// anywhere and http:// on the loopback interface only', async () => {
      const called: string[] = [];
      const ok: PostForm = async (url) => {
        called.push(url);
        return { status: 200, body: { SigninToken: 'tok' } };
      };
      for (const good of ['https://signin.example.test/federation', 'http://127.0.0.1:9/federation', 'http://localhost:9/federation', 'http://[::1]:9/federation']) {
        await buildConsoleUrl(issuedRoleSession(issued), { startPage: '', region: '', federationEndpoint: ` ${good} `, issuer: 'x' }, ok);
      }
      assert.deepEqual(called, ['https://signin.example.test/federation', 'http://127.0.0.1:9/federation', 'http://localhost:9/federation', 'http://[::1]:9/federation']);
    });

    it('never puts a transport error\'s text into its message, only a network code', async () => {
      const error = await buildConsoleUrl(issuedRoleSession(issued), { startPage: '', region: '', federationEndpoint: 'http://127.0.0.1:9/federation', issuer: 'x' }, async () => {
        throw Object.assign(new TypeError(`fetch failed: connect refused while sending ${issued.secretAccessKey} near ${encodeURIComponent(issued.sessionToken)} detail-marker-7`), { cause: { code: 'ECONNREFUSED' } });
      }).then(
        () => assert.fail('should fail'),
        (e: Error) => e,
      );
      assert.ok(error instanceof RoleSwitchError);
      assert.equal(error.code, 'Unreachable');
      assert.ok(!error.message.includes('detail-marker-7'), 'the transport error text is not in the message');
      assert.ok(noSecretIn(error.message));
      assert.match(error.message, /could not be reached \(ECONNREFUSED\)/);
    });
  });
});
