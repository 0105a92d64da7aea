/**
 * The `aws login` side of AWS: the cache file the AWS CLI writes after signing in
 * (~/.aws/login/cache/<sha256(login_session)>.json) and a loopback stand-in for the sign-in
 * service's token refresh (`POST /v1/token`, CreateOAuth2Token with grant_type refresh_token).
 *
 * The stand-in is as strict as the service: every request carries a DPoP proof (RFC 9449), an
 * ES256 JWT whose header holds the public key it is signed with, for this method and this URL,
 * issued just now and never replayed; the refresh token is known, unused (it rotates on every
 * refresh) and bound to the key of the login it was issued to. New credentials come from the
 * LoopbackSts, so STS accepts them afterwards.
 */
import { createHash, createPublicKey, generateKeyPairSync, verify, type JsonWebKey } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type * as http from 'node:http';
import * as path from 'node:path';
import { listenOnLoopback } from './fakeCredentialEndpoints';
import type { LoopbackSts } from './loopbackSts';

/** The client id `aws login` uses on the machine with the browser. */
export const SAME_DEVICE_CLIENT_ID = 'arn:aws:signin:::devtools/same-device';

export interface LoginCacheFile {
  accessToken: { accessKeyId: string; secretAccessKey: string; sessionToken: string; accountId: string; expiresAt: string };
  tokenType: string;
  clientId: string;
  refreshToken: string;
  idToken: string;
  dpopKey: string;
}

/** The file name the AWS CLI and the SDKs give a login: the SHA-256 of the login_session, in hex. */
export function loginCacheFileName(loginSession: string): string {
  return `${createHash('sha256').update(loginSession, 'utf8').digest('hex')}.json`;
}

/** A fresh P-256 key as the AWS CLI stores it (SEC1 PEM, "EC PRIVATE KEY"), and its public JWK. */
export function newDpopKey(): { pem: string; jwk: JsonWebKey } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { pem: privateKey.export({ format: 'pem', type: 'sec1' }).toString(), jwk: publicKey.export({ format: 'jwk' }) };
}

/** RFC 7638: what binds a refresh token to one key. */
export function jwkThumbprint(jwk: JsonWebKey): string {
  return createHash('sha256').update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })).digest('base64url');
}

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** An ID token shaped like the sign-in service's (its `sub` is the login_session); unsigned, nothing here checks it. */
function idTokenFor(loginSession: string): string {
  const now = Math.floor(Date.now() / 1000);
  return `${b64url({ typ: 'JWT', alg: 'ES384' })}.${b64url({ sub: loginSession, aud: 'arn:aws:signin:::cli/same-device', iss: 'https://signin.aws.amazon.com/signin', iat: now, exp: now + 900 })}.c2lnbmF0dXJl`;
}

/** The cache file `aws login` leaves, with the credentials and the time they expire, in the CLI's format. */
export function buildLoginCache(o: {
  loginSession: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
  expiresAt: Date;
  refreshToken: string;
  dpopKeyPem: string;
}): LoginCacheFile {
  const accountId = /::(\d{12}):/.exec(o.loginSession)?.[1] ?? '';
  return {
    accessToken: { ...o.credentials, accountId, expiresAt: o.expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z') },
    tokenType: 'aws_sigv4',
    clientId: SAME_DEVICE_CLIENT_ID,
    refreshToken: o.refreshToken,
    idToken: idTokenFor(o.loginSession),
    dpopKey: o.dpopKeyPem,
  };
}

export async function writeLoginCache(dir: string, loginSession: string, cache: LoginCacheFile): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, loginCacheFileName(loginSession));
  await fs.writeFile(file, JSON.stringify(cache, null, 2), { mode: 0o600 });
  return file;
}

export async function readLoginCache(dir: string, loginSession: string): Promise<LoginCacheFile> {
  return JSON.parse(await fs.readFile(path.join(dir, loginCacheFileName(loginSession)), 'utf8')) as LoginCacheFile;
}

export interface SigninRequest {
  method: string;
  path: string;
  status: number;
  /** Why a request was refused, in the stand-in's words (never a secret). */
  refusal?: string;
  /** The DPoP proof's claims, when it had any. */
  proof?: { htm?: unknown; htu?: unknown; iat?: unknown; jti?: unknown };
}

interface Grant {
  clientId: string;
  loginSession: string;
  thumbprint: string;
}

/** How long a proof's `iat` may be away from the server's clock. */
const PROOF_WINDOW_SECONDS = 60;

export class FakeSigninService {
  readonly requests: SigninRequest[] = [];
  /** refresh token -> the login it belongs to; a used token is deleted (they rotate). */
  readonly #grants = new Map<string, Grant>();
  readonly #seenJti = new Set<string>();
  /** Every refresh token ever handed out, for the secret scans. */
  readonly #issued: string[] = [];
  #counter = 0;
  #listener?: { origin: string; stop(): Promise<void> };
  url = '';

  constructor(
    private readonly sts: LoopbackSts,
    /** The role a login_session of the assumed-role form signs in as. */
    private readonly roleArnOf: (loginSession: string) => string,
  ) {}

  /** Signs a user in, as `aws login` would end: a cache file's content, credentials the STS accepts, a refresh token bound to a new key. */
  signIn(loginSession: string, o: { expiresInSeconds?: number; expiresAt?: Date } = {}): LoginCacheFile {
    const key = newDpopKey();
    const refreshToken = this.#newRefreshToken({ clientId: SAME_DEVICE_CLIENT_ID, loginSession, thumbprint: jwkThumbprint(key.jwk) });
    const s = this.#issue(loginSession, o.expiresInSeconds ?? 900);
    return buildLoginCache({ loginSession, credentials: s, expiresAt: o.expiresAt ?? new Date(s.expiresAt), refreshToken, dpopKeyPem: key.pem });
  }

  /** Ends every login of this identity as AWS does after 12 hours: their refresh tokens are refused with TOKEN_EXPIRED. */
  endLogin(loginSession: string): void {
    for (const [token, grant] of this.#grants) if (grant.loginSession === loginSession) this.#grants.delete(token);
  }

  /** Every refresh token handed out, spent or not, so tests can look for them where they must not be. */
  allSecrets(): string[] {
    return [...this.#issued];
  }

  async start(): Promise<string> {
    const listener = await listenOnLoopback((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const record: SigninRequest = { method: req.method ?? '', path: req.url ?? '', status: 0 };
        const answer = this.#handle(req, Buffer.concat(chunks).toString('utf8'), record);
        record.status = answer.status;
        this.requests.push(record);
        const text = JSON.stringify(answer.body);
        const headers: Record<string, string | number> = { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) };
        if (answer.errorType) headers['x-amzn-errortype'] = answer.errorType;
        res.writeHead(answer.status, headers);
        res.end(text);
      });
    });
    this.#listener = listener;
    this.url = listener.origin;
    return this.url;
  }

  async stop(): Promise<void> {
    await this.#listener?.stop();
    this.#listener = undefined;
  }

  #newRefreshToken(grant: Grant): string {
    const token = `fake-login-refresh-${++this.#counter}-${createHash('sha256').update(`${grant.loginSession}${Date.now()}${Math.random()}`).digest('hex').slice(0, 24)}`;
    this.#grants.set(token, grant);
    this.#issued.push(token);
    return token;
  }

  #issue(loginSession: string, seconds: number) {
    const assumed = /:assumed-role\/[^/]+\/(.+)$/.exec(loginSession);
    return this.sts.issueRoleSession(this.roleArnOf(loginSession), assumed?.[1] ?? 'console-user', seconds);
  }

  #handle(req: http.IncomingMessage, body: string, record: SigninRequest): { status: number; body: unknown; errorType?: string } {
    const refuse = (status: number, errorType: string, error: string, message: string) => {
      record.refusal = message;
      return { status, errorType, body: { error, message } };
    };
    const invalid = (message: string) => refuse(400, 'ValidationException', 'INVALID_REQUEST', message);
    if (req.method !== 'POST' || req.url !== '/v1/token') return refuse(404, 'ResourceNotFound', 'RESOURCE_NOT_FOUND', `no ${req.method} ${req.url}`);
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) return invalid('Content-Type must be application/json');

    // The DPoP proof (RFC 9449 §4.3).
    const dpop = req.headers.dpop;
    if (typeof dpop !== 'string') return invalid('missing DPoP header');
    const parts = dpop.split('.');
    if (parts.length !== 3) return invalid('DPoP proof is not a JWS');
    let header: { typ?: unknown; alg?: unknown; jwk?: JsonWebKey };
    let claims: { htm?: unknown; htu?: unknown; iat?: unknown; jti?: unknown };
    try {
      header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
      claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    } catch {
      return invalid('DPoP proof is not JSON');
    }
    record.proof = { htm: claims.htm, htu: claims.htu, iat: claims.iat, jti: claims.jti };
    if (header.typ !== 'dpop+jwt') return invalid('DPoP typ must be dpop+jwt');
    if (header.alg !== 'ES256') return invalid('DPoP alg must be ES256');
    const jwk = header.jwk;
    if (!jwk || jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.x !== 'string' || typeof jwk.y !== 'string') return invalid('DPoP jwk must be a P-256 public key');
    if (jwk.d !== undefined) return invalid('DPoP jwk holds a private key');
    let signatureOk = false;
    try {
      const key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }, format: 'jwk' });
      const signature = Buffer.from(parts[2], 'base64url');
      signatureOk = signature.length === 64 && verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), { key, dsaEncoding: 'ieee-p1363' }, signature);
    } catch {
      signatureOk = false;
    }
    if (!signatureOk) return invalid('DPoP signature does not verify with its jwk');
    if (claims.htm !== req.method) return invalid(`DPoP htm ${String(claims.htm)} is not ${req.method}`);
    const requestUrl = `${this.url}${req.url}`;
    if (claims.htu !== requestUrl) return invalid(`DPoP htu ${String(claims.htu)} is not ${requestUrl}`);
    const now = Math.floor(Date.now() / 1000);
    if (typeof claims.iat !== 'number' || !Number.isInteger(claims.iat) || Math.abs(now - claims.iat) > PROOF_WINDOW_SECONDS) return invalid('DPoP iat is not now');
    if (typeof claims.jti !== 'string' || claims.jti.length < 16) return invalid('DPoP jti missing');
    if (this.#seenJti.has(claims.jti)) return invalid('DPoP jti replayed');
    this.#seenJti.add(claims.jti);

    // The body: CreateOAuth2Token's tokenInput.
    let input: { clientId?: unknown; grantType?: unknown; refreshToken?: unknown };
    try {
      input = JSON.parse(body);
    } catch {
      return invalid('body is not JSON');
    }
    if (input.grantType !== 'refresh_token') return invalid(`unsupported grantType ${String(input.grantType)}`);
    const grant = typeof input.refreshToken === 'string' ? this.#grants.get(input.refreshToken) : undefined;
    if (!grant) return refuse(400, 'AccessDeniedException', 'TOKEN_EXPIRED', 'refresh token unknown, used or expired');
    if (input.clientId !== grant.clientId) return refuse(400, 'AccessDeniedException', 'invalid_client', 'clientId does not match the refresh token');
    if (jwkThumbprint(jwk) !== grant.thumbprint) return refuse(400, 'AccessDeniedException', 'invalid_grant', 'DPoP key is not the one the refresh token is bound to');

    this.#grants.delete(input.refreshToken as string);
    const refreshToken = this.#newRefreshToken(grant);
    const s = this.#issue(grant.loginSession, 900);
    return {
      status: 200,
      body: { accessToken: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey, sessionToken: s.sessionToken }, tokenType: 'aws_sigv4', expiresIn: 900, refreshToken, idToken: idTokenFor(grant.loginSession) },
    };
  }
}
