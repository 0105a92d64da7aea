import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import { CredentialEndpoint, ENDPOINT_LIMITS } from '../../../src/core/delivery/credentialEndpoint';
import type { Session } from '../../../src/core/session/session';
import { roleSession } from '../../support/sessions';

function get(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    // A fresh connection each time: a pooled one would hide whether the port still listens.
    const req = http.get(url, { headers, agent: false }, (res) => {
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

/** TCP servers this process listens on (anything that leaks one shows here). */
const listeningServers = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));
/** Resolves to the HTTP status, or to the socket error's code when nothing answers. */
const statusOrError = (url: string, token: string) =>
  get(url, { Authorization: token }).then(
    (r) => r.status,
    (e: NodeJS.ErrnoException) => e.code ?? 'error',
  );

describe('The loopback credential endpoint: stop means stopped', function () {
  this.timeout(30000);
  const session = roleSession({ profileName: 'dev', credentials: { accessKeyId: 'ASIASTOPMEANSSTOP001', secretAccessKey: 'stop-secret', sessionToken: 'stop-token' } });

  it('refuses start() after stop(), and the old address answers nothing', async () => {
    const endpoint = new CredentialEndpoint(() => session);
    const url = await endpoint.start();
    assert.equal(await statusOrError(url, endpoint.token), 200);
    await endpoint.stop();
    await assert.rejects(endpoint.start(), /stopped/);
    assert.equal(await statusOrError(url, endpoint.token), 'ECONNREFUSED');
    await endpoint.stop();
  });

  it('a stop() while listen is pending closes the server once it is bound: start() rejects and nothing keeps listening', async () => {
    const before = listeningServers();
    for (let i = 0; i < 5; i++) {
      const endpoint = new CredentialEndpoint(() => session);
      const started = endpoint.start().then(
        (url) => url,
        () => undefined,
      );
      await endpoint.stop();
      const url = await started;
      assert.equal(url, undefined, 'start() must not resolve to an address once stopped');
    }
    await settle();
    assert.equal(listeningServers(), before, 'no server left listening');
  });

  it('interleaved start/stop on one object, without waiting: nothing answers afterwards', async () => {
    const before = listeningServers();
    const endpoint = new CredentialEndpoint(() => session);
    const urls: (string | undefined)[] = [];
    const runs: Promise<unknown>[] = [];
    for (let i = 0; i < 4; i++) {
      runs.push(endpoint.start().then((u) => urls.push(u), () => urls.push(undefined)));
      runs.push(endpoint.stop());
    }
    await Promise.all(runs);
    await settle();
    assert.equal(listeningServers(), before);
    for (const url of urls.filter((u): u is string => !!u)) assert.equal(await statusOrError(url, endpoint.token), 'ECONNREFUSED');
  });

  it('drops a connection that sends no complete header within a few seconds (slowloris)', async () => {
    const endpoint = new CredentialEndpoint(() => session);
    const url = new URL(await endpoint.start());
    try {
      const started = Date.now();
      const closedAfter = await new Promise<number>((resolve, reject) => {
        const socket = net.connect(Number(url.port), '127.0.0.1', () => socket.write(`GET ${url.pathname} HTTP/1.1\r\nHost: 127.0.0.1:${url.port}\r\n`));
        socket.on('error', () => undefined);
        // Read what the server sends (a 408), or the end never arrives and 'close' never fires.
        socket.resume();
        socket.on('close', () => resolve(Date.now() - started));
        setTimeout(() => {
          socket.destroy();
          reject(new Error('the endpoint kept a half-sent request open for 10 s'));
        }, 10_000);
      });
      assert.ok(closedAfter < ENDPOINT_LIMITS.headersTimeoutMs + 2500, `closed after ${closedAfter} ms`);
    } finally {
      await endpoint.stop();
    }
  });

  it('caps the number of connections', async () => {
    const endpoint = new CredentialEndpoint(() => session);
    const url = await endpoint.start();
    const port = Number(new URL(url).port);
    const idle: net.Socket[] = [];
    try {
      for (let i = 0; i < ENDPOINT_LIMITS.maxConnections; i++) {
        idle.push(await new Promise<net.Socket>((resolve) => {
          const s = net.connect(port, '127.0.0.1', () => resolve(s));
          s.on('error', () => undefined);
        }));
      }
      await settle();
      assert.notEqual(await statusOrError(url, endpoint.token), 200, 'one connection over the cap is refused');
      for (const s of idle) s.destroy();
      await settle();
      assert.equal(await statusOrError(url, endpoint.token), 200, 'served again once the idle connections are gone');
    } finally {
      for (const s of idle) s.destroy();
      await endpoint.stop();
    }
  });
});
