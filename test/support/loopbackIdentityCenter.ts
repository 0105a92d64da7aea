/**
 * A loopback stand-in for IAM Identity Center: its OIDC service (`sso-oidc`: RegisterClient,
 * StartDeviceAuthorization, CreateToken, and the browser's /authorize) and its portal (`sso`:
 * ListAccounts, ListAccountRoles, GetRoleCredentials, Logout). It checks requests as strictly as
 * the service does (client secrets, one-time codes, PKCE S256, RFC 8252 loopback redirects, device
 * code polling, refresh-token rotation, expiry on a clock the tests control) and hands out role
 * credentials through a LoopbackSts, so STS accepts them afterwards.
 *
 * Wire protocol (AWS restJson1), taken from @aws-sdk/client-sso-oidc and client-sso 3.1178 and
 * botocore's models `sso-oidc` / `sso` 2019-06-10:
 * - OIDC: POST /client/register, /device_authorization, /token with JSON bodies (camelCase
 *   fields), no signature. Errors: status 400 (InvalidClientException 401, InternalServer 500),
 *   header `x-amzn-ErrorType: <Name>:http://internal.amazon.com/coral/com.amazonaws.sso.oidc/`,
 *   body `{"error":"authorization_pending","error_description":"..."}` (as the service answers,
 *   seen in botocore debug logs). Both the JS SDK and botocore take the error name from the header.
 * - /authorize is not in the model: the AWS CLI v2 builds `<oidc endpoint>/authorize?response_type=
 *   code&client_id&redirect_uri&state&code_challenge_method=S256&scopes=<space separated>&
 *   code_challenge=<43 base64url chars>` (awscli/botocore/utils.py, SSOTokenFetcherAuth); the AWS
 *   Toolkit joins `scopes` with commas. Both separators are accepted here.
 * - Portal: GET /assignment/accounts?max_result&next_token, GET /assignment/roles?account_id&
 *   max_result&next_token, GET /federation/credentials?role_name&account_id, POST /logout; the
 *   access token in header `x-amz-sso_bearer_token`. Errors: `{"message":"..."}` with the
 *   header and `__type` `com.amazonaws.switchboard.portal#<Name>`; UnauthorizedException 401,
 *   ForbiddenException 403 ("No access", not in the model: the SDK surfaces it by name only),
 *   TooManyRequestsException 429, InvalidRequestException 400.
 */
import * as http from 'node:http';
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import type { LoopbackSts } from './loopbackSts';

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
/** The scope that lets a token reach the portal (accounts, roles, role credentials). */
export const ACCOUNT_ACCESS_SCOPE = 'sso:account:access';
const KNOWN_GRANTS = ['authorization_code', 'refresh_token', DEVICE_CODE_GRANT];
/** What a client registered without grantTypes (the legacy device code flow) may use. */
const LEGACY_GRANTS = [DEVICE_CODE_GRANT, 'refresh_token'];
const OIDC_ERROR_NAMESPACE = 'http://internal.amazon.com/coral/com.amazonaws.sso.oidc/';
const PORTAL_NAMESPACE = 'com.amazonaws.switchboard.portal';
const PORTAL_ERROR_NAMESPACE = `http://internal.amazon.com/coral/${PORTAL_NAMESPACE}/`;
/** RFC 8628 §3.5: each slow_down adds 5 seconds to the interval the client must keep. */
const SLOW_DOWN_STEP_SECONDS = 5;
/** RFC 7636 §4.1: the verifier's alphabet and length. */
const CODE_VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
/** base64url(SHA-256(verifier)) without padding is always 43 characters. */
const CODE_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const SCOPE_SHAPE = /^[\w-]+(:[\w-]+)+$/;
const MAX_BODY_BYTES = 1 << 20;
const DAY = 86_400;

export interface IdentityCenterAccount {
  accountId: string;
  accountName: string;
  emailAddress: string;
  /** The permission sets (role names) the signed-in user is assigned in this account. */
  roles: string[];
}

export interface LoopbackIdentityCenterOptions {
  /** Role credentials are issued through it, so it accepts them afterwards. */
  sts: LoopbackSts;
  /** The portal start URLs this instance answers for (StartDeviceAuthorization, issuerUrl). */
  startUrls?: string[];
  accounts?: IdentityCenterAccount[];
  /** The user's name: the role session name of the credentials (as Identity Center uses it). */
  userName?: string;
  /** 127.0.0.2 by default: code-server's openExternal rewrites links to 127.0.0.1 and localhost. */
  host?: string;
  now?: () => number;
  /** CreateToken's expiresIn (default 8 hours). */
  accessTokenSeconds?: number;
  /** RegisterClient's clientSecretExpiresAt - clientIdIssuedAt (default 90 days). */
  registrationSeconds?: number;
  /** How long refresh tokens keep working after the sign-in (default 90 days). */
  sessionSeconds?: number;
  /** StartDeviceAuthorization's expiresIn (default 600). */
  deviceCodeSeconds?: number;
  /** StartDeviceAuthorization's interval (default 1). */
  pollIntervalSeconds?: number;
  /** How long an authorization code can be exchanged (default 300). */
  authCodeSeconds?: number;
  /** Lifetime of role credentials (the permission set's session duration, default 3600). */
  roleSessionSeconds?: number;
  /** Page size when the caller sends no max_result (default 10, so pagination is exercised). */
  pageSize?: number;
  /** Portal requests allowed in any sliding second (undefined: no limit). */
  portalRequestsPerSecond?: number;
  /** Each portal request waits this long before answering, so concurrency can be observed. */
  portalDelayMs?: number;
  /** RegisterClient also returns authorizationEndpoint/tokenEndpoint (in the model; the CLI and the Toolkit ignore them). */
  advertiseEndpoints?: boolean;
  /**
   * Whether CreateToken returns a refresh token for a registration with these scopes (the
   * registration must also allow the refresh_token grant). Default: the scopes include
   * sso:account:access; a legacy registration without scopes gets none.
   */
  refreshTokenFor?: (registrationScopes: readonly string[]) => boolean;
  /** The IAM role behind a permission set (default arn:aws:iam::<account>:role/<roleName>). */
  roleArn?: (accountId: string, roleName: string) => string;
}

export interface RecordedIdentityCenterRequest {
  service: 'oidc' | 'portal';
  /** RegisterClient, StartDeviceAuthorization, CreateToken, Authorize, VerifyDevice, ListAccounts, ... */
  operation: string;
  method: string;
  path: string;
  /** The raw query string (Authorize: to see how the client encoded it). */
  rawQuery: string;
  /** Body fields (OIDC) or query parameters; every secret replaced by fingerprint(secret). */
  params: Record<string, unknown>;
  headerNames: string[];
  contentType?: string;
  userAgent?: string;
  /** fingerprint() of the x-amz-sso_bearer_token header. */
  bearer?: string;
  status: number;
  errorCode?: string;
  /** Server-clock ms when the request arrived. */
  time: number;
}

export interface IdentityCenterStats {
  /** Requests per operation, throttled ones included. */
  calls: Record<string, number>;
  throttled: number;
  /** Most portal requests being answered at the same time. */
  maxInFlight: number;
}

/** A registered client as a test may inspect it (no secret). */
export interface RegisteredClient {
  clientId: string;
  clientName: string;
  grantTypes: string[];
  redirectUris: string[];
  issuerUrl?: string;
  scopes: string[];
  /** ms since the epoch. */
  issuedAt: number;
  expiresAt: number;
}

export type RefreshTokenState = 'active' | 'used' | 'revoked' | 'unknown';

/** What recorded requests hold instead of a secret: lets tests compare without seeing it. */
export function fingerprint(secret: string): string {
  return `sha256:${createHash('sha256').update(secret).digest('hex').slice(0, 16)}`;
}

/** RFC 7636 S256: base64url(SHA-256(verifier)) without padding. */
export function codeChallengeS256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

export function defaultRoleArn(accountId: string, roleName: string): string {
  return `arn:aws:iam::${accountId}:role/${roleName}`;
}

interface Client extends RegisteredClient { clientSecret: string }
interface AuthCode { code: string; clientId: string; redirectUri: string; challenge: string; issuedAt: number; used: boolean; sessionId?: string }
interface DeviceAuthorization {
  deviceCode: string; userCode: string; clientId: string; expiresAt: number; interval: number;
  lastPollAt?: number; state: 'pending' | 'approved' | 'denied' | 'used';
}
/** One sign-in: every access and refresh token it leads to, through refreshes. */
interface SignIn { id: string; clientId: string; scopes: string[]; startedAt: number; ended: boolean }
interface AccessToken { sessionId: string; expiresAt: number; revoked: boolean }
interface RefreshToken { sessionId: string; clientId: string; state: RefreshTokenState }

type Send = (status: number, headers: Record<string, string>, body: string, errorCode?: string) => void;

class ServiceError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly oauthError?: string) { super(message); }
}
const oidcError = (code: string, oauthError: string, description: string, status = 400) => new ServiceError(status, code, description, oauthError);
const invalidRequest = (d: string) => oidcError('InvalidRequestException', 'invalid_request', d);
const invalidClient = () => oidcError('InvalidClientException', 'invalid_client', 'Invalid client provided', 401);
const invalidGrant = (d = 'Invalid grant provided') => oidcError('InvalidGrantException', 'invalid_grant', d);
const unauthorized = () => new ServiceError(401, 'UnauthorizedException', 'Session token not found or invalid');
const forbidden = () => new ServiceError(403, 'ForbiddenException', 'No access');
const portalInvalid = (m: string) => new ServiceError(400, 'InvalidRequestException', m);

const random = (bytes: number) => randomBytes(bytes).toString('base64url');
const USER_CODE_LETTERS = 'BCDFGHJKLMNPQRSTVWXZ';
function userCode(): string {
  const pick = () => [...randomBytes(4)].map(b => USER_CODE_LETTERS[b % USER_CODE_LETTERS.length]).join('');
  return `${pick()}-${pick()}`;
}
function sameSecret(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}
const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every(s => typeof s === 'string');

/** RFC 8252 §7.3: a loopback IP redirect may use any port; everything else must match exactly. */
function withoutPort(uri: string): string | undefined {
  try {
    const u = new URL(uri);
    u.port = '';
    return u.toString();
  } catch {
    return undefined;
  }
}
/** What RegisterClient accepts for the authorization code grant: http://127.0.0.1/<path>, no port, no query. */
function isPortlessLoopbackRedirect(uri: string): boolean {
  let u: URL;
  try { u = new URL(uri); } catch { return false; }
  return u.protocol === 'http:' && u.hostname === '127.0.0.1' && u.port === '' && !u.search && !u.hash && u.pathname.length > 1
    && !/^http:\/\/127\.0\.0\.1:/.test(uri);
}

export class LoopbackIdentityCenter {
  readonly requests: RecordedIdentityCenterRequest[] = [];
  /** Called after every request is recorded. */
  onRequest?: (r: RecordedIdentityCenterRequest) => void;
  // Private (#) so secrets never show up when a test prints or deep-compares the instance.
  readonly #sts: LoopbackSts;
  readonly #options: LoopbackIdentityCenterOptions;
  #now: () => number;
  #rateLimit: number | undefined;
  readonly #startUrls: string[];
  readonly #accounts: IdentityCenterAccount[];
  readonly #clients = new Map<string, Client>();
  readonly #codes = new Map<string, AuthCode>();
  readonly #devices = new Map<string, DeviceAuthorization>();
  readonly #signIns = new Map<string, SignIn>();
  readonly #accessTokens = new Map<string, AccessToken>();
  readonly #refreshTokens = new Map<string, RefreshToken>();
  readonly #pageTokens = new Map<string, { operation: string; sessionId: string; accountId?: string; offset: number }>();
  readonly #roleSecrets: string[] = [];
  readonly #portalWindow: number[] = [];
  #denyNextAuthorization = false;
  #stats: IdentityCenterStats = { calls: {}, throttled: 0, maxInFlight: 0 };
  #inFlight = 0;
  readonly #servers: { server: http.Server; sockets: Set<Socket> }[] = [];
  #oidcUrl = '';
  #portalUrl = '';

  constructor(options: LoopbackIdentityCenterOptions) {
    this.#options = options;
    this.#sts = options.sts;
    this.#now = options.now ?? Date.now;
    this.#rateLimit = options.portalRequestsPerSecond;
    this.#startUrls = [...(options.startUrls ?? ['https://d-9067000000.awsapps.com/start'])];
    this.#accounts = (options.accounts ?? []).map(a => ({ ...a, roles: [...a.roles] }));
  }

  get oidcUrl(): string { return this.#oidcUrl; }
  get portalUrl(): string { return this.#portalUrl; }
  get startUrls(): readonly string[] { return this.#startUrls; }

  async start(): Promise<{ oidcUrl: string; portalUrl: string }> {
    if (this.#servers.length) throw new Error('LoopbackIdentityCenter already started');
    const host = this.#options.host ?? '127.0.0.2';
    const listen = async (service: 'oidc' | 'portal') => {
      const sockets = new Set<Socket>();
      const server = http.createServer((req, res) => { void this.#handle(service, req, res); });
      server.keepAliveTimeout = 5_000;
      server.on('connection', s => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, host, () => { server.off('error', reject); resolve(); });
      });
      this.#servers.push({ server, sockets });
      const { port } = server.address() as AddressInfo;
      return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    };
    this.#oidcUrl = await listen('oidc');
    this.#portalUrl = await listen('portal');
    return { oidcUrl: this.#oidcUrl, portalUrl: this.#portalUrl };
  }

  async stop(): Promise<void> {
    const servers = this.#servers.splice(0);
    await Promise.all(servers.map(({ server, sockets }) => new Promise<void>(resolve => {
      server.close(() => resolve());
      // Keep-alive sockets from SDK clients would otherwise hold close() open.
      for (const s of sockets) s.destroy();
    })));
  }

  setClock(now: () => number): void { this.#now = now; }
  now(): number { return this.#now(); }
  setPortalRateLimit(requestsPerSecond: number | undefined): void {
    this.#rateLimit = requestsPerSecond;
    this.#portalWindow.length = 0;
  }
  stats(): IdentityCenterStats {
    return { calls: { ...this.#stats.calls }, throttled: this.#stats.throttled, maxInFlight: this.#stats.maxInFlight };
  }
  /** Clears recorded requests and counters. */
  reset(): void {
    this.requests.length = 0;
    this.#stats = { calls: {}, throttled: 0, maxInFlight: 0 };
  }

  addAccount(account: IdentityCenterAccount): void { this.#accounts.push({ ...account, roles: [...account.roles] }); }
  clients(): RegisteredClient[] {
    return [...this.#clients.values()].map(c => ({
      clientId: c.clientId, clientName: c.clientName, grantTypes: [...c.grantTypes], redirectUris: [...c.redirectUris],
      ...(c.issuerUrl !== undefined ? { issuerUrl: c.issuerUrl } : {}), scopes: [...c.scopes], issuedAt: c.issuedAt, expiresAt: c.expiresAt,
    }));
  }
  roleArn(accountId: string, roleName: string): string {
    return (this.#options.roleArn ?? defaultRoleArn)(accountId, roleName);
  }

  /** The next /authorize (or device verification) is refused by the "user": error=access_denied. */
  denyNextAuthorization(): void { this.#denyNextAuthorization = true; }
  /** The user confirms the code in the portal; the next poll gets the token. */
  approveDevice(userCode: string): void { this.#device(userCode).state = 'approved'; }
  denyDevice(userCode: string): void { this.#device(userCode).state = 'denied'; }
  /** The access token stops working at once (as if its expiry had passed). */
  expireAccessToken(accessToken: string): void {
    const t = this.#accessTokens.get(accessToken);
    if (!t) throw new Error('LoopbackIdentityCenter: unknown access token');
    t.expiresAt = Math.min(t.expiresAt, this.#now());
  }
  /** Every refresh token issued so far stops working (an administrator ended the sessions). */
  revokeRefreshTokens(): void {
    for (const r of this.#refreshTokens.values()) if (r.state === 'active') r.state = 'revoked';
  }
  isAccessTokenValid(accessToken: string): boolean { return this.#validAccessToken(accessToken) !== undefined; }
  refreshTokenState(refreshToken: string): RefreshTokenState { return this.#refreshTokens.get(refreshToken)?.state ?? 'unknown'; }

  /** Every secret issued: client secrets, codes, device codes, tokens, role credentials (for secret scans). */
  allSecrets(): string[] {
    return [
      ...[...this.#clients.values()].map(c => c.clientSecret),
      ...this.#codes.keys(),
      ...this.#devices.keys(),
      ...this.#accessTokens.keys(),
      ...this.#refreshTokens.keys(),
      ...this.#roleSecrets,
    ];
  }

  #device(code: string): DeviceAuthorization {
    const d = [...this.#devices.values()].find(x => x.userCode === code);
    if (!d) throw new Error(`LoopbackIdentityCenter: no device authorization with user code ${code}`);
    return d;
  }

  async #handle(service: 'oidc' | 'portal', req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const requestId = randomUUID();
    const method = req.method ?? 'GET';
    const rec: RecordedIdentityCenterRequest = {
      service, operation: '', method, path: url.pathname, rawQuery: url.search.replace(/^\?/, ''), params: {},
      headerNames: Object.keys(req.headers).sort(), status: 0, time: this.#now(),
    };
    if (req.headers['content-type']) rec.contentType = req.headers['content-type'];
    if (req.headers['user-agent']) rec.userAgent = req.headers['user-agent'];
    const send: Send = (status, headers, body, errorCode) => {
      rec.status = status;
      if (errorCode) rec.errorCode = errorCode;
      res.writeHead(status, { ...headers, 'Content-Length': String(Buffer.byteLength(body)), 'x-amzn-RequestId': requestId, Date: new Date(this.#now()).toUTCString() });
      res.end(body);
      this.onRequest?.(rec);
    };
    const sendError = (e: ServiceError) => {
      if (service === 'oidc') {
        send(e.status, { 'Content-Type': 'application/json', 'x-amzn-ErrorType': `${e.code}:${OIDC_ERROR_NAMESPACE}` },
          JSON.stringify({ error: e.oauthError ?? 'invalid_request', error_description: e.message }), e.code);
      } else {
        send(e.status, { 'Content-Type': 'application/json', 'x-amzn-ErrorType': `${e.code}:${PORTAL_ERROR_NAMESPACE}` },
          JSON.stringify({ message: e.message, __type: `${PORTAL_NAMESPACE}#${e.code}` }), e.code);
      }
    };

    let body: Buffer;
    try {
      body = await readBody(req);
    } catch {
      this.requests.push(rec);
      sendError(new ServiceError(413, 'RequestEntityTooLargeException', 'Request body too large'));
      return;
    }
    this.requests.push(rec);
    try {
      if (service === 'oidc') this.#oidc(method, url, body, rec, send);
      else await this.#portal(method, url, req, rec, send);
    } catch (e) {
      sendError(e instanceof ServiceError ? e : new ServiceError(500, 'InternalServerException', 'Internal error', 'server_error'));
    }
  }

  #count(rec: RecordedIdentityCenterRequest, operation: string): void {
    rec.operation = operation;
    this.#stats.calls[operation] = (this.#stats.calls[operation] ?? 0) + 1;
  }

  // ---- OIDC -------------------------------------------------------------------------------

  #oidc(method: string, url: URL, body: Buffer, rec: RecordedIdentityCenterRequest, send: Send): void {
    const json = (value: unknown) => send(200, { 'Content-Type': 'application/json' }, JSON.stringify(value));
    const route = `${method} ${url.pathname}`;
    if (route === 'GET /authorize') {
      this.#count(rec, 'Authorize');
      this.#authorize(url, rec, send);
      return;
    }
    if (route === 'GET /device') {
      this.#count(rec, 'VerifyDevice');
      this.#verifyDevice(url, send);
      return;
    }
    const operation = ({ 'POST /client/register': 'RegisterClient', 'POST /device_authorization': 'StartDeviceAuthorization', 'POST /token': 'CreateToken' } as Record<string, string>)[route];
    if (!operation || url.search) {
      this.#count(rec, 'Unknown');
      throw new ServiceError(404, 'UnknownOperationException', 'Unknown operation', 'invalid_request');
    }
    this.#count(rec, operation);
    const input = parseJsonObject(body);
    rec.params = redactFields(input);
    if (operation === 'RegisterClient') json(this.#registerClient(input));
    else if (operation === 'StartDeviceAuthorization') json(this.#startDeviceAuthorization(input));
    else json(this.#createToken(input));
  }

  #registerClient(input: Record<string, unknown>): Record<string, unknown> {
    const { clientName, clientType, scopes, redirectUris, grantTypes, issuerUrl } = input;
    if (typeof clientName !== 'string' || !clientName) throw invalidRequest('clientName is required');
    if (clientType !== 'public') throw invalidRequest('Invalid client type');
    for (const [name, v] of [['scopes', scopes], ['redirectUris', redirectUris], ['grantTypes', grantTypes]] as const) {
      if (v !== undefined && !isStringList(v)) throw invalidRequest(`${name} must be a list of strings`);
    }
    if (issuerUrl !== undefined && typeof issuerUrl !== 'string') throw invalidRequest('issuerUrl must be a string');
    const scopeList = (scopes as string[] | undefined) ?? [];
    const bad = scopeList.find(s => !SCOPE_SHAPE.test(s));
    if (bad !== undefined) throw oidcError('InvalidScopeException', 'invalid_scope', `Invalid scope: ${bad}`);
    const grants = (grantTypes as string[] | undefined) ?? [...LEGACY_GRANTS];
    const unknownGrant = grants.find(g => !KNOWN_GRANTS.includes(g));
    if (unknownGrant !== undefined) throw oidcError('UnsupportedGrantTypeException', 'unsupported_grant_type', `Unsupported grant type: ${unknownGrant}`);
    const uris = (redirectUris as string[] | undefined) ?? [];
    if (grants.includes('authorization_code')) {
      if (!uris.length || !uris.every(isPortlessLoopbackRedirect)) {
        throw oidcError('InvalidRedirectUriException', 'invalid_redirect_uri', 'Redirect URIs must be loopback URIs without a port (http://127.0.0.1/...)');
      }
      if (typeof issuerUrl !== 'string' || !this.#startUrls.includes(issuerUrl)) {
        throw oidcError('InvalidClientMetadataException', 'invalid_client_metadata', 'Invalid issuer URL');
      }
    }
    const now = this.#now();
    const issuedAt = Math.floor(now / 1000) * 1000;
    const client: Client = {
      clientId: random(16),
      clientSecret: `eyJ${random(240)}`,
      clientName,
      grantTypes: [...grants],
      redirectUris: [...uris],
      ...(typeof issuerUrl === 'string' ? { issuerUrl } : {}),
      scopes: [...scopeList],
      issuedAt,
      expiresAt: issuedAt + (this.#options.registrationSeconds ?? 90 * DAY) * 1000,
    };
    this.#clients.set(client.clientId, client);
    return {
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      clientIdIssuedAt: client.issuedAt / 1000,
      clientSecretExpiresAt: client.expiresAt / 1000,
      ...(this.#options.advertiseEndpoints ? { authorizationEndpoint: `${this.#oidcUrl}/authorize`, tokenEndpoint: `${this.#oidcUrl}/token` } : {}),
    };
  }

  /** Client authentication shared by StartDeviceAuthorization and CreateToken. */
  #authenticateClient(input: Record<string, unknown>): Client {
    const { clientId, clientSecret } = input;
    if (typeof clientId !== 'string' || typeof clientSecret !== 'string') throw invalidRequest('clientId and clientSecret are required');
    const client = this.#clients.get(clientId);
    if (!client || !sameSecret(client.clientSecret, clientSecret) || this.#now() >= client.expiresAt) throw invalidClient();
    return client;
  }

  #startDeviceAuthorization(input: Record<string, unknown>): Record<string, unknown> {
    const client = this.#authenticateClient(input);
    if (typeof input.startUrl !== 'string') throw invalidRequest('startUrl is required');
    if (!client.grantTypes.includes(DEVICE_CODE_GRANT)) throw oidcError('UnauthorizedClientException', 'unauthorized_client', 'Client is not authorized for the device code grant');
    if (!this.#startUrls.includes(input.startUrl)) throw invalidRequest('Invalid start URL');
    const expiresIn = this.#options.deviceCodeSeconds ?? 600;
    const interval = this.#options.pollIntervalSeconds ?? 1;
    const d: DeviceAuthorization = {
      deviceCode: random(48), userCode: userCode(), clientId: client.clientId,
      expiresAt: this.#now() + expiresIn * 1000, interval, state: 'pending',
    };
    this.#devices.set(d.deviceCode, d);
    return {
      deviceCode: d.deviceCode,
      userCode: d.userCode,
      verificationUri: `${this.#oidcUrl}/device`,
      verificationUriComplete: `${this.#oidcUrl}/device?user_code=${d.userCode}`,
      expiresIn,
      interval,
    };
  }

  #createToken(input: Record<string, unknown>): Record<string, unknown> {
    const client = this.#authenticateClient(input);
    const { grantType } = input;
    if (typeof grantType !== 'string') throw invalidRequest('grantType is required');
    if (!KNOWN_GRANTS.includes(grantType)) throw oidcError('UnsupportedGrantTypeException', 'unsupported_grant_type', 'Unsupported grant type');
    if (!client.grantTypes.includes(grantType)) throw oidcError('UnauthorizedClientException', 'unauthorized_client', 'Client is not authorized for this grant type');
    const now = this.#now();
    if (grantType === 'authorization_code') {
      const { code, redirectUri, codeVerifier } = input;
      if (typeof code !== 'string' || typeof redirectUri !== 'string' || typeof codeVerifier !== 'string') throw invalidRequest('code, redirectUri and codeVerifier are required');
      const grant = this.#codes.get(code);
      if (!grant || grant.clientId !== client.clientId) throw invalidGrant();
      if (grant.used) {
        // RFC 6749 §4.1.2: a code used twice revokes what it was exchanged for.
        if (grant.sessionId) this.#endSignIn(grant.sessionId);
        throw invalidGrant();
      }
      // One attempt per code, successful or not.
      grant.used = true;
      if (now - grant.issuedAt >= (this.#options.authCodeSeconds ?? 300) * 1000) throw invalidGrant('Authorization code has expired');
      if (redirectUri !== grant.redirectUri) throw invalidGrant('Redirect URI mismatch');
      if (!CODE_VERIFIER.test(codeVerifier)) throw invalidRequest('Invalid code verifier');
      if (codeChallengeS256(codeVerifier) !== grant.challenge) throw invalidGrant('Code verifier does not match the code challenge');
      const signIn = this.#newSignIn(client);
      grant.sessionId = signIn.id;
      return this.#issueTokens(client, signIn);
    }
    if (grantType === DEVICE_CODE_GRANT) {
      const { deviceCode } = input;
      if (typeof deviceCode !== 'string') throw invalidRequest('deviceCode is required');
      const d = this.#devices.get(deviceCode);
      if (!d || d.clientId !== client.clientId || d.state === 'used') throw invalidGrant();
      if (now >= d.expiresAt) throw oidcError('ExpiredTokenException', 'expired_token', 'Device code has expired');
      if (d.state === 'denied') throw oidcError('AccessDeniedException', 'access_denied', 'Access denied');
      if (d.state === 'pending') {
        const tooSoon = d.lastPollAt !== undefined && now - d.lastPollAt < d.interval * 1000;
        d.lastPollAt = now;
        if (tooSoon) {
          d.interval += SLOW_DOWN_STEP_SECONDS;
          throw oidcError('SlowDownException', 'slow_down', 'Client is polling too quickly');
        }
        throw oidcError('AuthorizationPendingException', 'authorization_pending', 'Authorization is still pending');
      }
      d.state = 'used';
      return this.#issueTokens(client, this.#newSignIn(client));
    }
    const { refreshToken } = input;
    if (typeof refreshToken !== 'string') throw invalidRequest('refreshToken is required');
    const r = this.#refreshTokens.get(refreshToken);
    if (!r || r.clientId !== client.clientId || r.state !== 'active') throw invalidGrant();
    const signIn = this.#signIns.get(r.sessionId);
    if (!signIn || signIn.ended || now >= signIn.startedAt + (this.#options.sessionSeconds ?? 90 * DAY) * 1000) throw invalidGrant('Session has expired');
    // Refresh tokens rotate: the one just used never works again.
    r.state = 'used';
    return this.#issueTokens(client, signIn);
  }

  #newSignIn(client: Client): SignIn {
    const signIn: SignIn = { id: randomUUID(), clientId: client.clientId, scopes: [...client.scopes], startedAt: this.#now(), ended: false };
    this.#signIns.set(signIn.id, signIn);
    return signIn;
  }

  #issueTokens(client: Client, signIn: SignIn): Record<string, unknown> {
    const expiresIn = this.#options.accessTokenSeconds ?? 8 * 3600;
    const accessToken = `aoa${random(180)}`;
    this.#accessTokens.set(accessToken, { sessionId: signIn.id, expiresAt: this.#now() + expiresIn * 1000, revoked: false });
    const wantsRefresh = (this.#options.refreshTokenFor ?? (s => s.includes(ACCOUNT_ACCESS_SCOPE)))(client.scopes);
    const out: Record<string, unknown> = { accessToken, tokenType: 'Bearer', expiresIn };
    if (wantsRefresh && client.grantTypes.includes('refresh_token')) {
      const refreshToken = `aor${random(300)}`;
      this.#refreshTokens.set(refreshToken, { sessionId: signIn.id, clientId: client.clientId, state: 'active' });
      out.refreshToken = refreshToken;
    }
    return out;
  }

  #endSignIn(sessionId: string): void {
    const signIn = this.#signIns.get(sessionId);
    if (signIn) signIn.ended = true;
    for (const t of this.#accessTokens.values()) if (t.sessionId === sessionId) t.revoked = true;
    for (const r of this.#refreshTokens.values()) if (r.sessionId === sessionId && r.state === 'active') r.state = 'revoked';
  }

  #authorize(url: URL, rec: RecordedIdentityCenterRequest, send: Send): void {
    const q = url.searchParams;
    rec.params = Object.fromEntries(q.entries());
    // RFC 6749 §4.1.2.1: with an unknown client or a bad redirect URI the browser must not be redirected.
    const page = (error: string, description: string) =>
      send(400, { 'Content-Type': 'application/json' }, JSON.stringify({ error, error_description: description }), error);
    const clientId = q.get('client_id') ?? '';
    const client = this.#clients.get(clientId);
    if (!client || this.#now() >= client.expiresAt) { page('invalid_client', 'Invalid client provided'); return; }
    const redirectUri = q.get('redirect_uri') ?? '';
    const portless = withoutPort(redirectUri);
    const loopbackWithPort = /^http:\/\/127\.0\.0\.1:\d{1,5}\//.test(redirectUri);
    if (!loopbackWithPort || portless === undefined || !client.redirectUris.includes(portless)) { page('invalid_redirect_uri', 'Invalid redirect URI'); return; }

    const redirect = (params: Record<string, string>, errorCode?: string) => {
      const target = new URL(redirectUri);
      for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
      send(302, { Location: target.toString(), 'Content-Type': 'text/html' }, '', errorCode);
    };
    const state = q.get('state');
    const fail = (error: string, description: string) => redirect({ error, error_description: description, ...(state ? { state } : {}) }, error);
    if (!client.grantTypes.includes('authorization_code')) { fail('unauthorized_client', 'Client is not authorized for the authorization code grant'); return; }
    if (q.get('response_type') !== 'code') { fail('unsupported_response_type', 'response_type must be code'); return; }
    if (!state) { fail('invalid_request', 'state is required'); return; }
    if (q.get('code_challenge_method') !== 'S256') { fail('invalid_request', 'code_challenge_method must be S256'); return; }
    const challenge = q.get('code_challenge') ?? '';
    if (!CODE_CHALLENGE.test(challenge)) { fail('invalid_request', 'Invalid code_challenge'); return; }
    const scopes = (q.get('scopes') ?? '').split(/[\s,]+/).filter(Boolean);
    if (!scopes.length || !scopes.every(s => client.scopes.includes(s))) { fail('invalid_scope', 'Invalid scope'); return; }
    if (this.#denyNextAuthorization) {
      this.#denyNextAuthorization = false;
      fail('access_denied', 'The user denied the request');
      return;
    }
    const code = random(40);
    this.#codes.set(code, { code, clientId, redirectUri, challenge, issuedAt: this.#now(), used: false });
    redirect({ code, state });
  }

  #verifyDevice(url: URL, send: Send): void {
    const html = (status: number, text: string, errorCode?: string) =>
      send(status, { 'Content-Type': 'text/html; charset=utf-8' }, `<!doctype html><title>Identity Center stand-in</title><p>${text}</p>\n`, errorCode);
    const code = url.searchParams.get('user_code') ?? '';
    const d = [...this.#devices.values()].find(x => x.userCode === code);
    if (!d || d.state !== 'pending' || this.#now() >= d.expiresAt) { html(400, 'Invalid or expired code.', 'invalid_user_code'); return; }
    if (this.#denyNextAuthorization) {
      this.#denyNextAuthorization = false;
      d.state = 'denied';
      html(200, 'Request denied.');
      return;
    }
    d.state = 'approved';
    html(200, 'Request approved. You can close this window.');
  }

  // ---- Portal -----------------------------------------------------------------------------

  async #portal(method: string, url: URL, req: http.IncomingMessage, rec: RecordedIdentityCenterRequest, send: Send): Promise<void> {
    const operation = ({
      'GET /assignment/accounts': 'ListAccounts', 'GET /assignment/roles': 'ListAccountRoles',
      'GET /federation/credentials': 'GetRoleCredentials', 'POST /logout': 'Logout',
    } as Record<string, string>)[`${method} ${url.pathname}`];
    this.#count(rec, operation ?? 'Unknown');
    const q = url.searchParams;
    rec.params = Object.fromEntries([...q.entries()].map(([k, v]) => [k, k === 'next_token' ? fingerprint(v) : v]));
    const bearer = req.headers['x-amz-sso_bearer_token'];
    if (typeof bearer === 'string') rec.bearer = fingerprint(bearer);

    this.#inFlight++;
    this.#stats.maxInFlight = Math.max(this.#stats.maxInFlight, this.#inFlight);
    try {
      if (this.#options.portalDelayMs) await new Promise(r => setTimeout(r, this.#options.portalDelayMs));
      if (this.#throttled()) {
        this.#stats.throttled++;
        throw new ServiceError(429, 'TooManyRequestsException', 'Too many requests');
      }
      if (!operation) throw new ServiceError(404, 'UnknownOperationException', 'Unknown operation');
      const token = typeof bearer === 'string' ? bearer : '';
      const session = this.#validAccessToken(token);
      if (!session) throw unauthorized();
      const json = (value: unknown) => send(200, { 'Content-Type': 'application/json' }, JSON.stringify(value));
      switch (operation) {
        case 'ListAccounts': {
          const page = this.#page(q, operation, session.id, undefined, this.#accounts);
          json({ accountList: page.items.map(a => ({ accountId: a.accountId, accountName: a.accountName, emailAddress: a.emailAddress })), ...(page.nextToken ? { nextToken: page.nextToken } : {}) });
          return;
        }
        case 'ListAccountRoles': {
          const accountId = q.get('account_id');
          if (!accountId) throw portalInvalid('account_id is required');
          const account = this.#accounts.find(a => a.accountId === accountId);
          if (!account) throw forbidden();
          const page = this.#page(q, operation, session.id, accountId, account.roles);
          json({ roleList: page.items.map(roleName => ({ roleName, accountId })), ...(page.nextToken ? { nextToken: page.nextToken } : {}) });
          return;
        }
        case 'GetRoleCredentials': {
          const accountId = q.get('account_id');
          const roleName = q.get('role_name');
          if (!accountId || !roleName) throw portalInvalid('account_id and role_name are required');
          if (!this.#accounts.some(a => a.accountId === accountId && a.roles.includes(roleName))) throw forbidden();
          const s = this.#sts.issueRoleSession(this.roleArn(accountId, roleName), this.#options.userName ?? 'alice@example.com', this.#options.roleSessionSeconds ?? 3600);
          this.#roleSecrets.push(s.secretAccessKey, s.sessionToken);
          json({ roleCredentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey, sessionToken: s.sessionToken, expiration: s.expiresAt } });
          return;
        }
        default:
          this.#endSignIn(session.id);
          send(200, {}, '');
      }
    } finally {
      this.#inFlight--;
    }
  }

  /** The sign-in behind a usable access token: known, unexpired, not logged out, with portal scope (or legacy, unscoped). */
  #validAccessToken(token: string): SignIn | undefined {
    const t = this.#accessTokens.get(token);
    if (!t || t.revoked || this.#now() >= t.expiresAt) return undefined;
    const signIn = this.#signIns.get(t.sessionId);
    if (!signIn || signIn.ended) return undefined;
    if (signIn.scopes.length && !signIn.scopes.includes(ACCOUNT_ACCESS_SCOPE)) return undefined;
    return signIn;
  }

  /** Sliding one-second window over accepted portal requests. */
  #throttled(): boolean {
    if (this.#rateLimit === undefined) return false;
    const now = this.#now();
    while (this.#portalWindow.length && this.#portalWindow[0] <= now - 1000) this.#portalWindow.shift();
    if (this.#portalWindow.length >= this.#rateLimit) return true;
    this.#portalWindow.push(now);
    return false;
  }

  #page<T>(q: URLSearchParams, operation: string, sessionId: string, accountId: string | undefined, all: readonly T[]): { items: T[]; nextToken?: string } {
    const raw = q.get('max_result');
    let size = this.#options.pageSize ?? 10;
    if (raw !== null) {
      if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 100) throw portalInvalid('max_result must be between 1 and 100');
      size = Number(raw);
    }
    let offset = 0;
    const given = q.get('next_token');
    if (given !== null) {
      const p = this.#pageTokens.get(given);
      // Page tokens belong to the listing (and token) they came from.
      if (!p || p.operation !== operation || p.sessionId !== sessionId || p.accountId !== accountId) throw portalInvalid('Invalid next token');
      offset = p.offset;
    }
    const items = all.slice(offset, offset + size);
    if (offset + size >= all.length) return { items };
    const nextToken = random(24);
    this.#pageTokens.set(nextToken, { operation, sessionId, accountId, offset: offset + size });
    return { items, nextToken };
  }
}

const SECRET_FIELDS = new Set(['clientSecret', 'refreshToken', 'code', 'codeVerifier', 'deviceCode', 'accessToken']);
function redactFields(input: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).map(([k, v]) => [k, SECRET_FIELDS.has(k) && typeof v === 'string' ? fingerprint(v) : v]));
}

function parseJsonObject(body: Buffer): Record<string, unknown> {
  if (!body.length) return {};
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw invalidRequest('Malformed JSON body');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw invalidRequest('Malformed JSON body');
  return value as Record<string, unknown>;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) { reject(new Error('too large')); req.destroy(); return; }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
