import * as assert from 'assert';
import * as http from 'http';
import {
  STSClient, AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand, type Credentials,
} from '@aws-sdk/client-sts';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import { LoopbackSts, STS_XMLNS } from '../../support/loopbackSts';

const ALICE = { arn: 'arn:aws:iam::111111111111:user/alice', accessKeyId: 'AKIAALICE00000000001', secretAccessKey: 'alice-secret-0123456789abcdefghijklmnopq' };
const BOB = { arn: 'arn:aws:iam::333333333333:user/bob', accessKeyId: 'AKIABOB0000000000001', secretAccessKey: 'bob-secret-0123456789abcdefghijklmnopqrs' };
const ADMIN = 'arn:aws:iam::222222222222:role/Admin';
const AUDIT = 'arn:aws:iam::222222222222:role/ops/Audit';
const PARTNER = 'arn:aws:iam::222222222222:role/Partner';
const SECURE = 'arn:aws:iam::222222222222:role/Secure';
const MFA_SERIAL = 'arn:aws:iam::111111111111:mfa/alice';

type Creds = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
const fromSts = (c: Credentials | undefined): Creds => ({ accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! });

async function rejectsWith(p: Promise<unknown>, name: string, message?: RegExp): Promise<void> {
  await assert.rejects(p, (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.strictEqual(e.name, name, `expected ${name}, got ${e.name}: ${e.message}`);
    if (message) assert.match(e.message, message);
    return true;
  });
}

describe('LoopbackSts', function () {
  this.timeout(20_000);
  let sts: LoopbackSts;
  let url: string;
  let clock: number;
  const clients: STSClient[] = [];
  const client = (credentials: Creds, extra: Record<string, unknown> = {}) => {
    const c = new STSClient({ endpoint: url, region: 'eu-west-1', credentials, maxAttempts: 1, ...extra });
    clients.push(c);
    return c;
  };

  beforeEach(async () => {
    clock = Date.now();
    sts = new LoopbackSts({
      now: () => clock,
      users: [ALICE, BOB],
      roles: [
        { arn: ADMIN, trustedPrincipals: [ALICE.arn], maxSessionDuration: 43200 },
        { arn: AUDIT, trustedPrincipals: [ADMIN] },
        { arn: PARTNER, trustedPrincipals: ['arn:aws:iam::111111111111:root'], externalId: 'ext-123' },
        { arn: SECURE, trustedPrincipals: [ALICE.arn], requireMfa: true, maxSessionDuration: 7200 },
      ],
      mfaDevices: [{ serial: MFA_SERIAL, userArn: ALICE.arn, code: '123456' }],
    });
    url = (await sts.start()).url;
  });
  afterEach(async () => {
    clients.splice(0).forEach(c => c.destroy());
    await sts.stop();
  });

  it('assumes a role and answers GetCallerIdentity as the assumed role', async () => {
    const out = await client(ALICE).send(new AssumeRoleCommand({ RoleArn: ADMIN, RoleSessionName: 'alice@laptop', DurationSeconds: 7200 }));
    const id = out.Credentials!.AccessKeyId!;
    assert.match(id, /^ASIA[A-Z0-9]{16}$/);
    assert.strictEqual(out.AssumedRoleUser!.Arn, 'arn:aws:sts::222222222222:assumed-role/Admin/alice@laptop');
    assert.match(out.AssumedRoleUser!.AssumedRoleId!, /^AROA[A-Z0-9]{17}:alice@laptop$/);
    assert.strictEqual(out.Credentials!.Expiration!.getTime(), Math.floor((clock + 7200_000) / 1000) * 1000);
    assert.deepStrictEqual(sts.issued(id), { arn: out.AssumedRoleUser!.Arn, expiresAt: clock + 7200_000, kind: 'AssumeRole', mfa: false });

    const who = await client(fromSts(out.Credentials)).send(new GetCallerIdentityCommand({}));
    assert.strictEqual(who.Arn, out.AssumedRoleUser!.Arn);
    assert.strictEqual(who.Account, '222222222222');
    assert.strictEqual(who.UserId, out.AssumedRoleUser!.AssumedRoleId);

    assert.deepStrictEqual(sts.requests.map(r => [r.action, r.status, r.accessKeyId, r.region]),
      [['AssumeRole', 200, ALICE.accessKeyId, 'eu-west-1'], ['GetCallerIdentity', 200, id, 'eu-west-1']]);
    assert.strictEqual(sts.requests[0].params.RoleArn, ADMIN);
    assert.ok(!JSON.stringify(sts.requests).includes(ALICE.secretAccessKey));
  });

  it('answers GetCallerIdentity for a long-term user', async () => {
    const who = await client(ALICE).send(new GetCallerIdentityCommand({}));
    assert.strictEqual(who.Arn, ALICE.arn);
    assert.strictEqual(who.Account, '111111111111');
    assert.match(who.UserId!, /^AIDA[A-Z0-9]{17}$/);
  });

  it('allows role chaining up to one hour and rejects longer chained sessions', async () => {
    const admin = await client(ALICE).send(new AssumeRoleCommand({ RoleArn: ADMIN, RoleSessionName: 'first' }));
    const chained = client(fromSts(admin.Credentials));
    const audit = await chained.send(new AssumeRoleCommand({ RoleArn: AUDIT, RoleSessionName: 'second', DurationSeconds: 3600 }));
    assert.strictEqual(audit.AssumedRoleUser!.Arn, 'arn:aws:sts::222222222222:assumed-role/Audit/second');
    await rejectsWith(chained.send(new AssumeRoleCommand({ RoleArn: AUDIT, RoleSessionName: 'second', DurationSeconds: 3601 })),
      'ValidationError', /1 hour session limit for roles assumed by role chaining/);
    // Alice herself is not trusted by Audit: only sessions of Admin are.
    await rejectsWith(client(ALICE).send(new AssumeRoleCommand({ RoleArn: AUDIT, RoleSessionName: 'direct' })),
      'AccessDenied', new RegExp(`^User: ${ALICE.arn} is not authorized to perform: sts:AssumeRole on resource: ${AUDIT}$`));
  });

  it('enforces the role MaxSessionDuration and the RoleSessionName pattern', async () => {
    const c = client(ALICE);
    await rejectsWith(c.send(new AssumeRoleCommand({ RoleArn: SECURE, RoleSessionName: 'x1', DurationSeconds: 7201, SerialNumber: MFA_SERIAL, TokenCode: '123456' })),
      'ValidationError', /exceeds the MaxSessionDuration set for this role/);
    await rejectsWith(c.send(new AssumeRoleCommand({ RoleArn: ADMIN, RoleSessionName: 'has space' })), 'ValidationError', /roleSessionName/);
    await rejectsWith(c.send(new AssumeRoleCommand({ RoleArn: ADMIN, RoleSessionName: 'ok', DurationSeconds: 899 })), 'ValidationError', /greater than or equal to 900/);
    await rejectsWith(c.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::222222222222:role/Nope', RoleSessionName: 'ok' })), 'AccessDenied', /not authorized/);
    await rejectsWith(client(BOB).send(new AssumeRoleCommand({ RoleArn: ADMIN, RoleSessionName: 'bob' })), 'AccessDenied', /User: arn:aws:iam::333333333333:user\/bob/);
  });

  it('rejects a signature made with the wrong secret', async () => {
    await rejectsWith(client({ ...ALICE, secretAccessKey: 'not-the-secret' }).send(new GetCallerIdentityCommand({})),
      'SignatureDoesNotMatch', /does not match the signature you provided/);
    assert.strictEqual(sts.requests[0].status, 403);
    assert.strictEqual(sts.requests[0].callerArn, undefined);
  });

  it('rejects an unknown access key', async () => {
    await rejectsWith(client({ accessKeyId: 'AKIANOBODY0000000000', secretAccessKey: 'x' }).send(new GetCallerIdentityCommand({})),
      'InvalidClientTokenId', /^The security token included in the request is invalid\.$/);
  });

  it('requires the session token with temporary keys', async () => {
    const out = await client(ALICE).send(new AssumeRoleCommand({ RoleArn: ADMIN, RoleSessionName: 'tok' }));
    const creds = fromSts(out.Credentials);
    await rejectsWith(client({ accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey }).send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId');
    await rejectsWith(client({ ...creds, sessionToken: creds.sessionToken + 'x' }).send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId');
  });

  it('expires sessions on the server clock, and the SDK learns the clock from the Date header', async () => {
    const out = await client(ALICE).send(new AssumeRoleCommand({ RoleArn: ADMIN, RoleSessionName: 'short', DurationSeconds: 900 }));
    const c = client(fromSts(out.Credentials), { maxAttempts: 3 });
    clock += 899_000;
    await c.send(new GetCallerIdentityCommand({}));
    clock += 2 * 3600_000;
    // The SDK's request time is now 2 h behind the server: first "Signature expired", then it corrects and retries.
    await rejectsWith(c.send(new GetCallerIdentityCommand({})), 'ExpiredToken', /^The security token included in the request is expired$/);
    const before = sts.requests.length;
    const codes = sts.requests.map(r => r.errorCode);
    // Each clock jump costs the SDK one skew-corrected retry (the SDK also retries ExpiredToken once, as it would against AWS).
    assert.deepStrictEqual(codes.slice(1, 5), ['SignatureDoesNotMatch', undefined, 'SignatureDoesNotMatch', 'ExpiredToken']);
    assert.strictEqual(codes[before - 1], 'ExpiredToken');
  });

  it('rejects requests signed more than 5 minutes away from the server clock', async () => {
    clock += 6 * 60_000;
    await rejectsWith(client(ALICE).send(new GetCallerIdentityCommand({})), 'SignatureDoesNotMatch', /^Signature expired: \d{8}T\d{6}Z is now earlier than/);
  });

  it('checks the ExternalId', async () => {
    const c = client(ALICE);
    await rejectsWith(c.send(new AssumeRoleCommand({ RoleArn: PARTNER, RoleSessionName: 'px' })), 'AccessDenied');
    await rejectsWith(c.send(new AssumeRoleCommand({ RoleArn: PARTNER, RoleSessionName: 'px', ExternalId: 'ext-999' })), 'AccessDenied');
    const ok = await c.send(new AssumeRoleCommand({ RoleArn: PARTNER, RoleSessionName: 'px', ExternalId: 'ext-123' }));
    assert.strictEqual(ok.AssumedRoleUser!.Arn, 'arn:aws:sts::222222222222:assumed-role/Partner/px');
  });

  it('requires MFA where the role demands it, and refuses wrong or reused codes', async () => {
    const c = client(ALICE);
    await rejectsWith(c.send(new AssumeRoleCommand({ RoleArn: SECURE, RoleSessionName: 'm1' })), 'AccessDenied', /is not authorized/);
    await rejectsWith(c.send(new AssumeRoleCommand({ RoleArn: SECURE, RoleSessionName: 'm1', SerialNumber: MFA_SERIAL, TokenCode: '654321' })),
      'AccessDenied', /invalid MFA one time pass code/);
    const ok = await c.send(new AssumeRoleCommand({ RoleArn: SECURE, RoleSessionName: 'm1', SerialNumber: MFA_SERIAL, TokenCode: '123456' }));
    assert.strictEqual(sts.issued(ok.Credentials!.AccessKeyId!)!.mfa, true);
    clock += 10_000;
    await rejectsWith(c.send(new AssumeRoleCommand({ RoleArn: SECURE, RoleSessionName: 'm2', SerialNumber: MFA_SERIAL, TokenCode: '123456' })),
      'AccessDenied', /invalid MFA one time pass code/);
    clock += 30_000;
    await c.send(new AssumeRoleCommand({ RoleArn: SECURE, RoleSessionName: 'm3', SerialNumber: MFA_SERIAL, TokenCode: '123456' }));
    await rejectsWith(client(BOB).send(new AssumeRoleCommand({ RoleArn: SECURE, RoleSessionName: 'm4', SerialNumber: MFA_SERIAL, TokenCode: '123456' })),
      'AccessDenied', /unable to validate MFA code/);
  });

  it('lets an MFA GetSessionToken session assume an MFA role without a code, capped like role chaining', async () => {
    const gst = await client(ALICE).send(new GetSessionTokenCommand({ SerialNumber: MFA_SERIAL, TokenCode: '123456' }));
    assert.strictEqual(gst.Credentials!.Expiration!.getTime(), Math.floor((clock + 43200_000) / 1000) * 1000);
    const session = client(fromSts(gst.Credentials));
    const who = await session.send(new GetCallerIdentityCommand({}));
    assert.strictEqual(who.Arn, ALICE.arn);
    const role = await session.send(new AssumeRoleCommand({ RoleArn: SECURE, RoleSessionName: 'via-gst' }));
    assert.strictEqual(role.AssumedRoleUser!.Arn, 'arn:aws:sts::222222222222:assumed-role/Secure/via-gst');
    await rejectsWith(session.send(new AssumeRoleCommand({ RoleArn: SECURE, RoleSessionName: 'via-gst', DurationSeconds: 7200 })),
      'ValidationError', /role chaining/);
    await rejectsWith(session.send(new GetSessionTokenCommand({})), 'AccessDenied', /Cannot call GetSessionToken with session credentials/);

    const plain = await client(ALICE).send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
    await rejectsWith(client(fromSts(plain.Credentials)).send(new AssumeRoleCommand({ RoleArn: SECURE, RoleSessionName: 'no-mfa' })), 'AccessDenied');
    await rejectsWith(client(ALICE).send(new GetSessionTokenCommand({ DurationSeconds: 129601 })), 'ValidationError', /less than or equal to 129600/);
  });

  it('answers other actions with InvalidAction and real STS XML', async () => {
    const res = await signedRequest(url, 'POST', '', 'Action=GetFederationToken&Version=2011-06-15&Name=x', ALICE);
    assert.strictEqual(res.status, 400);
    assert.match(res.body, new RegExp(`^<ErrorResponse xmlns="${STS_XMLNS}"><Error><Type>Sender</Type><Code>InvalidAction</Code>`));
    assert.ok(res.headers['x-amzn-requestid']);
  });

  it('accepts a GET with the parameters in the query string', async () => {
    const res = await signedRequest(url, 'GET', 'Action=GetCallerIdentity&Version=2011-06-15', '', ALICE);
    assert.strictEqual(res.status, 200, res.body);
    assert.match(res.body, new RegExp(`^<GetCallerIdentityResponse xmlns="${STS_XMLNS}"><GetCallerIdentityResult><Arn>${ALICE.arn}</Arn>`));
    assert.match(res.body, /<ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata>/);
  });

  it('rejects a body that differs from what was signed', async () => {
    const res = await signedRequest(url, 'POST', '', 'Action=GetCallerIdentity&Version=2011-06-15', ALICE, 'Action=GetCallerIdentity&Version=2011-06-15&X=1');
    assert.strictEqual(res.status, 403);
    assert.match(res.body, /<Code>SignatureDoesNotMatch<\/Code>/);
  });

  it('injects faults', async () => {
    const c = client(ALICE);
    sts.failNext({ status: 503, code: 'ServiceUnavailable', message: 'try later' });
    await rejectsWith(c.send(new GetCallerIdentityCommand({})), 'ServiceUnavailable', /try later/);
    sts.failNext({ rawBody: '<not xml' });
    await assert.rejects(c.send(new GetCallerIdentityCommand({})));
    sts.failNext({ destroySocket: true });
    await assert.rejects(c.send(new GetCallerIdentityCommand({})), /socket hang up|ECONNRESET/);
    sts.failNext({ delayMs: 300 });
    const t0 = Date.now();
    await c.send(new GetCallerIdentityCommand({}));
    assert.ok(Date.now() - t0 >= 290);
    assert.deepStrictEqual(sts.requests.map(r => r.errorCode), ['ServiceUnavailable', undefined, 'SocketDestroyed', undefined]);
  });
});

/** Hand-signed request, for shapes the SDK never sends (GET, tampered body). */
async function signedRequest(base: string, method: string, query: string, body: string, creds: Creds, sendBody = body) {
  const u = new URL(base);
  const signer = new SignatureV4({ credentials: creds, region: 'us-east-1', service: 'sts', sha256: Sha256 });
  const headers: Record<string, string> = { host: u.host };
  if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
  const queryObj = Object.fromEntries(new URLSearchParams(query));
  const signed = await signer.sign({ method, protocol: 'http:', hostname: u.hostname, port: Number(u.port), path: '/', query: queryObj, headers, body: body || undefined });
  return new Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }>((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, method, path: '/' + (query ? `?${query}` : ''), headers: signed.headers }, res => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', c => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(sendBody || undefined);
  });
}
