import * as assert from 'node:assert/strict';
import { authorizeUrl, codeChallenge, createCodeVerifier, createState, percentEncode, redirectUriWithPort } from '../../../../src/core/credentials/sso/pkce';

describe('core: PKCE and the authorize URL', () => {
  it('computes the S256 challenge of RFC 7636 appendix B', () => {
    assert.equal(codeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'), 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('makes 64-character verifiers of unreserved characters, different every time, and unguessable states', () => {
    const verifiers = new Set(Array.from({ length: 200 }, () => createCodeVerifier()));
    assert.equal(verifiers.size, 200);
    for (const v of verifiers) assert.match(v, /^[A-Za-z0-9\-._~]{64}$/);
    // Every character of the alphabet turns up across 12,800 draws (a biased or truncated alphabet would not).
    assert.equal(new Set([...verifiers].join('')).size, 66);
    assert.notEqual(createState(), createState());
    assert.match(createState(), /^[0-9a-f-]{36}$/);
  });

  it('encodes as botocore\'s percent_encode (Python quote with safe="-_.~")', () => {
    // Expected values computed once, outside this test, with Python's urllib.parse.quote(X, safe="-_.~"); the test runs nothing but Node.
    assert.equal(percentEncode('http://127.0.0.1:4321/oauth/callback'), 'http%3A%2F%2F127.0.0.1%3A4321%2Foauth%2Fcallback');
    assert.equal(percentEncode('sso:account:access codewhisperer:completions'), 'sso%3Aaccount%3Aaccess%20codewhisperer%3Acompletions');
    assert.equal(percentEncode("a!b'c(d)e*f~g"), 'a%21b%27c%28d%29e%2Af~g');
  });

  it('builds the authorize URL in the order and encoding of the AWS CLI v2, on the OIDC base the SDK resolved', () => {
    const request = {
      oidcBase: 'https://oidc.eu-west-1.amazonaws.com',
      clientId: 'client-1',
      redirectUri: redirectUriWithPort(4321),
      state: '0b7e4c5e-2d4f-4f4a-9c51-6a3b8e0f1d2c',
      challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      scopes: ['sso:account:access', 'codewhisperer:completions'],
    };
    assert.equal(
      authorizeUrl(request),
      'https://oidc.eu-west-1.amazonaws.com/authorize?response_type=code&client_id=client-1&redirect_uri=http%3A%2F%2F127.0.0.1%3A4321%2Foauth%2Fcallback&state=0b7e4c5e-2d4f-4f4a-9c51-6a3b8e0f1d2c&code_challenge_method=S256&scopes=sso%3Aaccount%3Aaccess%20codewhisperer%3Acompletions&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
    // An endpoint override with a trailing slash, and the registration's own authorize endpoint winning over it.
    assert.ok(authorizeUrl({ ...request, oidcBase: 'http://127.0.0.2:9000/' }).startsWith('http://127.0.0.2:9000/authorize?response_type=code&'));
    assert.ok(authorizeUrl({ ...request, authorizationEndpoint: 'https://portal.example.aws/authorize' }).startsWith('https://portal.example.aws/authorize?response_type=code&client_id=client-1&'));
  });
});
