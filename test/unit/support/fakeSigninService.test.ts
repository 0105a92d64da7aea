import * as assert from 'node:assert/strict';
import { createPrivateKey, randomUUID, sign, type KeyObject } from 'node:crypto';
import { FakeSigninService, SAME_DEVICE_CLIENT_ID } from '../../support/fakeSigninService';
import { LoopbackSts } from '../../support/loopbackSts';

const LOGIN = 'arn:aws:sts::111111111111:assumed-role/Console/alice';

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A DPoP proof as RFC 9449 describes it, with every part replaceable to break one rule at a time. */
function proof(key: KeyObject, claims: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  const { x, y } = key.export({ format: 'jwk' });
  const head = b64({ alg: 'ES256', typ: 'dpop+jwt', jwk: { kty: 'EC', crv: 'P-256', x, y }, ...header });
  const body = b64(claims);
  const signature = sign('sha256', Buffer.from(`${head}.${body}`), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url');
  return `${head}.${body}.${signature}`;
}

describe('FakeSigninService: the loopback sign-in token endpoint is as strict as AWS', () => {
  let sts: LoopbackSts;
  let signin: FakeSigninService;
  let url: string;

  before(async () => {
    sts = new LoopbackSts({ users: [], roles: [] });
    await sts.start();
    signin = new FakeSigninService(sts, () => 'arn:aws:iam::111111111111:role/Console');
    url = await signin.start();
  });
  after(async () => {
    await signin.stop();
    await sts.stop();
  });

  async function refresh(dpop: string | undefined, body: Record<string, unknown>, target = '/v1/token') {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (dpop !== undefined) headers.DPoP = dpop;
    const res = await fetch(`${url}${target}`, { method: 'POST', headers, body: JSON.stringify(body) });
    return { status: res.status, type: res.headers.get('x-amzn-errortype'), body: (await res.json()) as Record<string, unknown> };
  }

  function login() {
    const cache = signin.signIn(LOGIN);
    const key = createPrivateKey(cache.dpopKey);
    const body = { clientId: SAME_DEVICE_CLIENT_ID, grantType: 'refresh_token', refreshToken: cache.refreshToken };
    const claims = () => ({ htm: 'POST', htu: `${url}/v1/token`, iat: Math.floor(Date.now() / 1000), jti: randomUUID() });
    return { cache, key, body, claims };
  }

  it('a good proof and refresh token: new credentials and a new refresh token; the old one is spent', async () => {
    const { cache, key, body, claims } = login();
    const ok = await refresh(proof(key, claims()), body);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    const out = ok.body as { accessToken: { accessKeyId: string }; refreshToken: string; expiresIn: number };
    assert.match(out.accessToken.accessKeyId, /^ASIA/);
    assert.equal(out.expiresIn, 900);
    assert.notEqual(out.refreshToken, cache.refreshToken);
    const again = await refresh(proof(key, claims()), body);
    assert.equal(again.status, 400);
    assert.equal(again.type, 'AccessDeniedException');
    assert.equal(again.body.error, 'TOKEN_EXPIRED');
  });

  const broken: [string, (l: ReturnType<typeof login>) => [string | undefined, Record<string, unknown>]][] = [
    ['no DPoP header', (l) => [undefined, l.body]],
    ['a proof signed by another key than its jwk', (l) => [proof(createPrivateKey(signin.signIn(LOGIN).dpopKey), l.claims(), { jwk: proofJwk(l.key) }), l.body]],
    ['a tampered payload', (l) => { const [h, , s] = proof(l.key, l.claims()).split('.'); return [`${h}.${b64({ ...l.claims(), htm: 'POST' })}.${s}`, l.body]; }],
    ['alg other than ES256', (l) => [proof(l.key, l.claims(), { alg: 'ES384' }), l.body]],
    ['typ other than dpop+jwt', (l) => [proof(l.key, l.claims(), { typ: 'JWT' }), l.body]],
    ['a private key in the jwk', (l) => [proof(l.key, l.claims(), { jwk: l.key.export({ format: 'jwk' }) }), l.body]],
    ['htm GET', (l) => [proof(l.key, { ...l.claims(), htm: 'GET' }), l.body]],
    ['htu of another URL', (l) => [proof(l.key, { ...l.claims(), htu: 'https://signin.aws.amazon.com/v1/token' }), l.body]],
    ['an iat ten minutes old', (l) => [proof(l.key, { ...l.claims(), iat: Math.floor(Date.now() / 1000) - 600 }), l.body]],
    ['no jti', (l) => [proof(l.key, { ...l.claims(), jti: undefined }), l.body]],
    ['another grant type', (l) => [proof(l.key, l.claims()), { ...l.body, grantType: 'authorization_code' }]],
    ['another client id', (l) => [proof(l.key, l.claims()), { ...l.body, clientId: 'arn:aws:signin:::devtools/cross-device' }]],
    ['an unknown refresh token', (l) => [proof(l.key, l.claims()), { ...l.body, refreshToken: 'made-up' }]],
  ];
  for (const [what, make] of broken) {
    it(`refuses ${what}`, async () => {
      const l = login();
      const [dpop, body] = make(l);
      const answer = await refresh(dpop, body);
      assert.equal(answer.status, 400, `${what}: ${JSON.stringify(answer.body)}`);
      assert.ok(answer.type === 'ValidationException' || answer.type === 'AccessDeniedException', String(answer.type));
      // The refresh token was not spent by the refused request.
      assert.equal((await refresh(proof(l.key, l.claims()), l.body)).status, 200, `${what}: a good request afterwards still works`);
    });
  }

  it('refuses a replayed proof (same jti), even for a fresh refresh token', async () => {
    const l = login();
    const dpop = proof(l.key, l.claims());
    assert.equal((await refresh(dpop, l.body)).status, 200);
    const next = login();
    const replay = await refresh(dpop, next.body);
    assert.equal(replay.status, 400);
    assert.match(String(replay.body.message), /replayed|bound/);
  });

  it('refuses a path other than /v1/token', async () => {
    const l = login();
    assert.equal((await refresh(proof(l.key, { ...l.claims(), htu: `${url}/v1/authorize` }), l.body, '/v1/authorize')).status, 404);
  });
});

/** The public half of a key as a JWK (what an honest header carries). */
function proofJwk(key: KeyObject): Record<string, unknown> {
  const { kty, crv, x, y } = key.export({ format: 'jwk' });
  return { kty, crv, x, y };
}
