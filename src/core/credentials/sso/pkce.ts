import { createHash, randomBytes, randomUUID } from 'node:crypto';

/**
 * OAuth 2.0 PKCE (RFC 7636) and the authorize URL, as the AWS CLI v2's SSOTokenFetcherAuth builds
 * them: a 64-character verifier, an S256 challenge, a random state.
 */

/** RFC 7636 §4.1: the unreserved characters a verifier may use. */
const VERIFIER_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~';
const VERIFIER_LENGTH = 64;

/** The path the redirect URI is registered with; the real redirect adds the listener's port (RFC 8252 §7.3). */
export const CALLBACK_PATH = '/oauth/callback';
export const REGISTERED_REDIRECT_URI = `http://127.0.0.1${CALLBACK_PATH}`;

export function redirectUriWithPort(port: number): string {
  return `http://127.0.0.1:${port}${CALLBACK_PATH}`;
}

/** 64 characters from crypto random bytes; bytes past the largest multiple of the alphabet are dropped, so no character is likelier than another. */
export function createCodeVerifier(): string {
  const limit = 256 - (256 % VERIFIER_ALPHABET.length);
  let out = '';
  while (out.length < VERIFIER_LENGTH) {
    for (const byte of randomBytes(VERIFIER_LENGTH * 2)) {
      if (byte < limit && out.length < VERIFIER_LENGTH) out += VERIFIER_ALPHABET[byte % VERIFIER_ALPHABET.length];
    }
  }
  return out;
}

/** S256: base64url(SHA-256(verifier)) without padding. */
export function codeChallenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** The CLI sends a UUID4; any unguessable value will do. */
export function createState(): string {
  return randomUUID();
}

/** botocore's percent_encode: Python's quote(value, safe='-_.~'), so also `!'()*` (which encodeURIComponent leaves) are escaped. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export interface AuthorizeUrlRequest {
  /** The OIDC base URL the SDK resolves for the region (scheme://host[:port]). */
  oidcBase: string;
  /** From RegisterClient; preferred over `<oidcBase>/authorize` when the service names it. */
  authorizationEndpoint?: string;
  clientId: string;
  redirectUri: string;
  state: string;
  challenge: string;
  scopes: readonly string[];
}

/**
 * The authorize URL, parameter for parameter as the CLI sends it: response_type, client_id,
 * redirect_uri, state, code_challenge_method, scopes (space-joined, then encoded: `%20`), and
 * code_challenge last (base64url needs no encoding).
 */
export function authorizeUrl(request: AuthorizeUrlRequest): string {
  const params: [string, string][] = [
    ['response_type', 'code'],
    ['client_id', request.clientId],
    ['redirect_uri', request.redirectUri],
    ['state', request.state],
    ['code_challenge_method', 'S256'],
    ['scopes', request.scopes.join(' ')],
  ];
  const query = `${params.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&')}&code_challenge=${request.challenge}`;
  const base = request.authorizationEndpoint ?? `${request.oidcBase.replace(/\/+$/, '')}/authorize`;
  return `${base}${base.includes('?') ? '&' : '?'}${query}`;
}
