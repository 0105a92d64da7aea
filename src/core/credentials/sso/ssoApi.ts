import type { AwsCredentials } from '../stsApi';

/**
 * What core needs from IAM Identity Center: its OIDC service (`sso-oidc`: client registration,
 * tokens) and its portal (`sso`: accounts, roles, role credentials, logout). The SDK-backed
 * implementation (ssoClients.ts, @aws-sdk/client-sso-oidc and @aws-sdk/client-sso) is a lazily
 * loaded chunk; unit tests pass fakes. Errors are normalised to `SsoApiError` so core never
 * depends on the SDK's error classes.
 */

/** Where a call goes: the sso_region, and an endpoint override (AWS_ENDPOINT_URL_SSO_OIDC / _SSO, endpoint_url) if any. */
export interface SsoTarget {
  region: string;
  /** Undefined: the endpoint the SDK resolves for the region (and its own env/config overrides). */
  endpoint?: string;
  signal?: AbortSignal;
}

export interface RegisterClientRequest {
  clientName: string;
  clientType: 'public';
  /** ['authorization_code', 'refresh_token'] for PKCE; undefined for the device code flow. */
  grantTypes?: string[];
  redirectUris?: string[];
  issuerUrl?: string;
  scopes?: string[];
}

export interface ClientRegistration {
  clientId: string;
  /** A secret: never logged, kept in SecretStorage only. */
  clientSecret: string;
  /** ms since the epoch. */
  expiresAt: number;
  /** Present when the service names where to send the browser (preferred over building the URL). */
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
}

export interface DeviceAuthorization {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string;
  /** Seconds. */
  expiresIn: number;
  /** Seconds between polls (default 5). */
  interval?: number;
}

export type CreateTokenRequest =
  | { grantType: 'authorization_code'; clientId: string; clientSecret: string; code: string; codeVerifier: string; redirectUri: string }
  | { grantType: 'urn:ietf:params:oauth:grant-type:device_code'; clientId: string; clientSecret: string; deviceCode: string }
  | { grantType: 'refresh_token'; clientId: string; clientSecret: string; refreshToken: string };

export interface TokenResult {
  accessToken: string;
  /** Seconds from now. */
  expiresIn: number;
  refreshToken?: string;
  tokenType?: string;
}

export interface SsoOidcApi {
  registerClient(target: SsoTarget, request: RegisterClientRequest): Promise<ClientRegistration>;
  startDeviceAuthorization(target: SsoTarget, request: { clientId: string; clientSecret: string; startUrl: string }): Promise<DeviceAuthorization>;
  createToken(target: SsoTarget, request: CreateTokenRequest): Promise<TokenResult>;
  /** The base URL the SDK resolves for the OIDC service in this region (honouring endpoint overrides): the authorize URL is built on it. */
  resolveEndpoint(target: SsoTarget): Promise<string>;
}

export interface SsoAccount {
  accountId: string;
  accountName?: string;
  emailAddress?: string;
}

export interface SsoPage<T> {
  items: T[];
  nextToken?: string;
}

export interface SsoPortalApi {
  listAccounts(target: SsoTarget, request: { accessToken: string; nextToken?: string; maxResults?: number }): Promise<SsoPage<SsoAccount>>;
  listAccountRoles(target: SsoTarget, request: { accessToken: string; accountId: string; nextToken?: string; maxResults?: number }): Promise<SsoPage<{ roleName: string; accountId: string }>>;
  getRoleCredentials(target: SsoTarget, request: { accessToken: string; accountId: string; roleName: string }): Promise<AwsCredentials & { expiration: Date }>;
  logout(target: SsoTarget, request: { accessToken: string }): Promise<void>;
}

/** Both services, as the lazily loaded chunk (ssoClients.ts) creates them. */
export interface SsoApis {
  oidc: SsoOidcApi;
  portal: SsoPortalApi;
}

// In core/errors (bundled once, as dist/errors.js) so `instanceof` holds across the lazily loaded chunks.
export { SsoApiError } from '../../errors';
