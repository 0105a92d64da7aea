import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SsoApiError, type SsoApis } from '../../../../src/core/credentials/sso/ssoApi';
import { createSsoApi } from '../../../../src/core/credentials/sso/ssoClients';

interface Seen {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A tiny HTTP server answering each request with what `answer` returns (not a stand-in: no rules, just shapes). */
async function serve(answer: (req: Seen) => { status: number; headers?: Record<string, string>; body?: unknown }) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const request = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body };
      seen.push(request);
      const out = answer(request);
      res.writeHead(out.status, { 'Content-Type': 'application/json', ...out.headers });
      res.end(out.body === undefined ? '' : JSON.stringify(out.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { seen, endpoint, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('core: the SDK-backed IAM Identity Center clients (ssoClients)', () => {
  let apis: SsoApis;
  beforeEach(() => {
    apis = createSsoApi({ requestTimeoutMs: 2000, maxAttempts: 1 });
  });

  it('resolves the OIDC base URL as the SDK does, without sending anything: the override, or the regional endpoint', async () => {
    const server = await serve(() => ({ status: 500 }));
    try {
      assert.equal(await apis.oidc.resolveEndpoint({ region: 'eu-west-1', endpoint: server.endpoint }), server.endpoint);
      assert.equal(await apis.oidc.resolveEndpoint({ region: 'eu-west-1', endpoint: `${server.endpoint}/oidc/` }), `${server.endpoint}/oidc`);
      assert.equal(await apis.oidc.resolveEndpoint({ region: 'eu-west-1' }), 'https://oidc.eu-west-1.amazonaws.com');
      assert.equal(await apis.oidc.resolveEndpoint({ region: 'cn-north-1' }), 'https://oidc.cn-north-1.amazonaws.com.cn');
      assert.equal(server.seen.length, 0);
    } finally {
      await server.close();
    }
  });

  it('calls CreateToken and maps its answer; the request carries what core asked for', async () => {
    const server = await serve(() => ({ status: 200, body: { accessToken: 'at-1', expiresIn: 28800, refreshToken: 'rt-1', tokenType: 'Bearer' } }));
    try {
      const result = await apis.oidc.createToken({ region: 'eu-west-1', endpoint: server.endpoint }, { grantType: 'refresh_token', clientId: 'c', clientSecret: 's', refreshToken: 'old-rt' });
      assert.deepEqual(result, { accessToken: 'at-1', expiresIn: 28800, refreshToken: 'rt-1', tokenType: 'Bearer' });
      assert.equal(server.seen[0].method, 'POST');
      assert.equal(server.seen[0].path, '/token');
      assert.deepEqual(JSON.parse(server.seen[0].body), { grantType: 'refresh_token', clientId: 'c', clientSecret: 's', refreshToken: 'old-rt' });
    } finally {
      await server.close();
    }
  });

  it('normalises service errors to SsoApiError with the error code and status, and never lets a secret or a query string through', async () => {
    const server = await serve((req) =>
      req.path === '/token'
        ? { status: 400, headers: { 'x-amzn-ErrorType': 'InvalidGrantException' }, body: { error: 'invalid_grant', error_description: 'Refresh token super-secret-refresh-Tk9 is invalid, see https://portal.example/x?token=abc123' } }
        : { status: 400, headers: { 'x-amzn-ErrorType': 'AuthorizationPendingException' }, body: { error: 'authorization_pending' } },
    );
    try {
      await assert.rejects(
        apis.oidc.createToken({ region: 'eu-west-1', endpoint: server.endpoint }, { grantType: 'refresh_token', clientId: 'c', clientSecret: 'client-secret-Qw1', refreshToken: 'super-secret-refresh-Tk9' }),
        (e: unknown) => {
          assert.ok(e instanceof SsoApiError);
          assert.equal(e.errorName, 'InvalidGrantException');
          assert.equal(e.httpStatus, 400);
          assert.ok(!e.message.includes('super-secret-refresh-Tk9'), e.message);
          assert.ok(!e.message.includes('abc123'), e.message);
          assert.match(e.message, /Refresh token \*\*\* is invalid, see https:\/\/portal\.example\/x$/);
          return true;
        },
      );
      server.seen.length = 0;
      await assert.rejects(
        apis.oidc.createToken({ region: 'eu-west-1', endpoint: `${server.endpoint}/x` }, { grantType: 'urn:ietf:params:oauth:grant-type:device_code', clientId: 'c', clientSecret: 's', deviceCode: 'dc' }),
        (e: unknown) => e instanceof SsoApiError && e.errorName === 'AuthorizationPendingException',
      );
    } finally {
      await server.close();
    }
  });

  it('reports an unreachable endpoint as NetworkError, an aborted call as AbortError', async () => {
    const server = await serve(() => ({ status: 200, body: {} }));
    const endpoint = server.endpoint;
    await server.close();
    await assert.rejects(apis.oidc.registerClient({ region: 'eu-west-1', endpoint }, { clientName: 'n', clientType: 'public' }), (e: unknown) => e instanceof SsoApiError && e.errorName === 'NetworkError' && /ECONNREFUSED/.test(e.message));
    const abort = new AbortController();
    abort.abort();
    await assert.rejects(apis.oidc.registerClient({ region: 'eu-west-1', endpoint, signal: abort.signal }, { clientName: 'n', clientType: 'public' }), (e: unknown) => e instanceof SsoApiError && e.errorName === 'AbortError');
  });

  it('maps RegisterClient (seconds) and GetRoleCredentials (milliseconds) expiries, and sends the bearer token in its header', async () => {
    const server = await serve((req) =>
      req.path === '/client/register'
        ? { status: 200, body: { clientId: 'cid', clientSecret: 'cs', clientIdIssuedAt: 1736942400, clientSecretExpiresAt: 1744718400, authorizationEndpoint: 'https://x.awsapps.com/start/authorize' } }
        : { status: 200, body: { roleCredentials: { accessKeyId: 'ASIAXXXXXXXXXXXXXXXX', secretAccessKey: 'sk', sessionToken: 'st', expiration: 1736946000000 } } },
    );
    try {
      const reg = await apis.oidc.registerClient({ region: 'eu-west-1', endpoint: server.endpoint }, { clientName: 'n', clientType: 'public', grantTypes: ['authorization_code', 'refresh_token'], redirectUris: ['http://127.0.0.1/oauth/callback'], issuerUrl: 'https://x.awsapps.com/start', scopes: ['sso:account:access'] });
      assert.deepEqual(reg, { clientId: 'cid', clientSecret: 'cs', expiresAt: 1744718400_000, authorizationEndpoint: 'https://x.awsapps.com/start/authorize', tokenEndpoint: undefined });
      const creds = await apis.portal.getRoleCredentials({ region: 'eu-west-1', endpoint: server.endpoint }, { accessToken: 'bearer-Zx', accountId: '111122223333', roleName: 'Admin' });
      assert.equal(creds.expiration.getTime(), 1736946000000);
      const get = server.seen[1];
      assert.equal(get.headers['x-amz-sso_bearer_token'], 'bearer-Zx');
      assert.match(get.path, /^\/federation\/credentials\?/);
    } finally {
      await server.close();
    }
  });
});
