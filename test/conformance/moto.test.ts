import * as assert from 'assert';
import * as net from 'net';
import { STSClient, AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { requireMotoServer, requirePython3 } from '../support/externalTools';
import { startMotoSts, signedQuery, MotoSts } from '../support/moto';

interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

interface SdkError {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

const SESSION = 'moto-test-session';

describe('moto STS with enforced IAM auth (test/support/moto.ts)', function () {
  this.timeout(30_000);
  let moto: MotoSts;
  const clients: STSClient[] = [];

  function sts(credentials: Creds): STSClient {
    const c = new STSClient({ region: 'us-east-1', endpoint: moto.url, credentials, maxAttempts: 1 });
    clients.push(c);
    return c;
  }

  async function rejectsWith(p: Promise<unknown>, name: string, status: number): Promise<SdkError> {
    let caught: SdkError | undefined;
    try {
      await p;
    } catch (e) {
      caught = e as SdkError;
    }
    assert.ok(caught, `expected the call to be rejected with ${name}, but it succeeded`);
    assert.strictEqual(caught.name, name, `wrong error: ${caught.name}: ${caught.message}`);
    assert.strictEqual(caught.$metadata?.httpStatusCode, status);
    return caught;
  }

  async function assumeAdmin(): Promise<Required<Creds>> {
    const out = await sts(moto.user).send(new AssumeRoleCommand({ RoleArn: moto.role.arn, RoleSessionName: SESSION }));
    const c = out.Credentials;
    assert.ok(c?.AccessKeyId && c.SecretAccessKey && c.SessionToken);
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
  }

  before(async function () {
    requireMotoServer();
    const t0 = Date.now();
    moto = await startMotoSts();
    console.log(`      moto_server ready (setup done, auth enforced) in ${Date.now() - t0} ms at ${moto.url}`);
  });

  after(async function () {
    for (const c of clients) {
      c.destroy();
    }
    if (moto) {
      await moto.stop();
    }
  });

  it('listens on loopback and reports the fixture identities', function () {
    assert.match(moto.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.strictEqual(moto.url, `http://127.0.0.1:${moto.port}`);
    assert.strictEqual(moto.user.arn, `arn:aws:iam::${moto.accountId}:user/alice`);
    assert.match(moto.user.accessKeyId, /^AKIA/);
    assert.strictEqual(moto.role.name, 'MotoAdmin');
    assert.strictEqual(moto.role.arn, `arn:aws:iam::${moto.accountId}:role/MotoAdmin`);
  });

  it("alice's own keys work for GetCallerIdentity", async function () {
    const me = await sts(moto.user).send(new GetCallerIdentityCommand({}));
    assert.strictEqual(me.Arn, moto.user.arn);
    assert.strictEqual(me.Account, moto.accountId);
  });

  it('alice can AssumeRole MotoAdmin and the temporary credentials work', async function () {
    const out = await sts(moto.user).send(
      new AssumeRoleCommand({ RoleArn: moto.role.arn, RoleSessionName: SESSION, DurationSeconds: 900 }),
    );
    const expectedArn = `arn:aws:sts::${moto.accountId}:assumed-role/MotoAdmin/${SESSION}`;
    assert.strictEqual(out.AssumedRoleUser?.Arn, expectedArn);
    const c = out.Credentials;
    assert.ok(c?.AccessKeyId && c.SecretAccessKey && c.SessionToken && c.Expiration);
    assert.match(c.AccessKeyId, /^ASIA/);
    assert.ok(c.Expiration.getTime() > Date.now());

    const who = await sts({
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
    }).send(new GetCallerIdentityCommand({}));
    assert.strictEqual(who.Arn, expectedArn);
    assert.strictEqual(who.Account, moto.accountId);
  });

  it('rejects a request signed with a wrong secret (SignatureDoesNotMatch, 403)', async function () {
    const bad = { accessKeyId: moto.user.accessKeyId, secretAccessKey: moto.user.secretAccessKey + 'x' };
    await rejectsWith(sts(bad).send(new GetCallerIdentityCommand({})), 'SignatureDoesNotMatch', 403);
    await rejectsWith(
      sts(bad).send(new AssumeRoleCommand({ RoleArn: moto.role.arn, RoleSessionName: SESSION })),
      'SignatureDoesNotMatch',
      403,
    );
  });

  it('rejects an unknown access key (InvalidClientTokenId, 403)', async function () {
    const unknown = { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: moto.user.secretAccessKey };
    await rejectsWith(sts(unknown).send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', 403);
    await rejectsWith(
      sts(unknown).send(new AssumeRoleCommand({ RoleArn: moto.role.arn, RoleSessionName: SESSION })),
      'InvalidClientTokenId',
      403,
    );
  });

  it('rejects temporary credentials with a wrong/missing session token or wrong secret', async function () {
    const t = await assumeAdmin();
    await rejectsWith(
      sts({ ...t, sessionToken: t.sessionToken + 'x' }).send(new GetCallerIdentityCommand({})),
      'InvalidClientTokenId',
      403,
    );
    await rejectsWith(
      sts({ accessKeyId: t.accessKeyId, secretAccessKey: t.secretAccessKey }).send(new GetCallerIdentityCommand({})),
      'InvalidClientTokenId',
      403,
    );
    await rejectsWith(
      sts({ ...t, secretAccessKey: t.secretAccessKey + 'x' }).send(new GetCallerIdentityCommand({})),
      'SignatureDoesNotMatch',
      403,
    );
  });

  it("enforces the role's trust policy: alice may not assume a role that does not trust her", async function () {
    // alice's identity policy allows sts:AssumeRole on MotoUntrusted; only its trust policy says no.
    const err = await rejectsWith(
      sts(moto.user).send(new AssumeRoleCommand({ RoleArn: moto.untrustedRole.arn, RoleSessionName: SESSION })),
      'AccessDenied',
      403,
    );
    assert.match(err.message ?? '', /user\/alice is not authorized to perform: sts:AssumeRole/);
  });

  it("enforces the caller's identity policy for AssumeRole", async function () {
    // Not in alice's policy (and does not exist, so moto would otherwise issue credentials for it).
    const other = `arn:aws:iam::${moto.accountId}:role/NotInAlicesPolicy`;
    await rejectsWith(
      sts(moto.user).send(new AssumeRoleCommand({ RoleArn: other, RoleSessionName: SESSION })),
      'AccessDenied',
      403,
    );
    // A MotoAdmin session has no identity policies at all, so it may not chain into MotoAdmin again.
    const t = await assumeAdmin();
    const err = await rejectsWith(
      sts(t).send(new AssumeRoleCommand({ RoleArn: moto.role.arn, RoleSessionName: 'chained' })),
      'AccessDenied',
      403,
    );
    assert.match(err.message ?? '', /assumed-role\/MotoAdmin\/moto-test-session is not authorized/);
  });

  it('refuses an unsigned request (moto answers 500, not an AWS error)', async function () {
    const res = await fetch(`${moto.url}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    const body = await res.text();
    assert.ok(!body.includes('GetCallerIdentityResult'), body);
    assert.strictEqual(res.status, 500);
  });

  it('signedQuery helper: a correctly signed raw Query request succeeds', async function () {
    const r = await signedQuery(moto.port, 'sts', { Action: 'GetCallerIdentity', Version: '2011-06-15' }, moto.user);
    assert.strictEqual(r.status, 200);
    assert.ok(r.body.includes(`<Arn>${moto.user.arn}</Arn>`), r.body);
  });
});

describe('startMotoSts lifecycle', function () {
  this.timeout(30_000);
  before(() => {
    requireMotoServer();
    // The start-failure test runs python3 as a stand-in for a broken moto_server.
    requirePython3();
  });

  function canConnect(port: number): Promise<boolean> {
    return new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
  }

  it('stop() shuts the server down (port closed) and is idempotent', async function () {
    const m = await startMotoSts();
    assert.strictEqual(await canConnect(m.port), true);
    await m.stop();
    await m.stop();
    assert.strictEqual(await canConnect(m.port), false);
  });

  it('throws an error including stderr when moto_server fails to start', async function () {
    const saved = process.env.MOTO_SERVER_BIN;
    // python3 rejects "-H 127.0.0.1 -p PORT" and explains why on stderr.
    process.env.MOTO_SERVER_BIN = 'python3';
    try {
      await assert.rejects(startMotoSts(), (e: Error) => {
        assert.match(e.message, /moto_server exited with code 2/);
        assert.match(e.message, /stderr:[\s\S]*(unknown option|usage)/i);
        return true;
      });
    } finally {
      if (saved === undefined) {
        delete process.env.MOTO_SERVER_BIN;
      } else {
        process.env.MOTO_SERVER_BIN = saved;
      }
    }
  });
});
