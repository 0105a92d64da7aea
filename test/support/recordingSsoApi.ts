// The SsoOidcApi and SsoPortalApi the core's unit tests inject: records calls, scripted answers.
import type { Clock } from '../../src/core/clock';
import type { AwsCredentials } from '../../src/core/credentials/stsApi';
import {
  SsoApiError,
  type ClientRegistration,
  type CreateTokenRequest,
  type DeviceAuthorization,
  type RegisterClientRequest,
  type SsoAccount,
  type SsoApis,
  type SsoOidcApi,
  type SsoPage,
  type SsoPortalApi,
  type SsoTarget,
  type TokenResult,
} from '../../src/core/credentials/sso/ssoApi';

export type SsoOp = 'RegisterClient' | 'StartDeviceAuthorization' | 'CreateToken' | 'ResolveEndpoint' | 'ListAccounts' | 'ListAccountRoles' | 'GetRoleCredentials' | 'Logout';

export interface SsoCall {
  op: SsoOp;
  target: SsoTarget;
  request?: unknown;
}

type Answer<T> = T | Error | (() => T | Error | Promise<T | Error>);

/**
 * An in-process Identity Center for unit tests: no HTTP, no checks of PKCE or grants (the strict
 * loopback stand-in does those). Records every call. Answers come from per-operation scripts,
 * consumed in order; when a script is empty, a fresh answer numbered by call (client-0001,
 * access-0003, ...) that expires relative to the test's clock. Every secret handed out is kept in
 * `secrets`, so tests can check that none reaches a message.
 */
export class RecordingSsoApi implements SsoOidcApi, SsoPortalApi, SsoApis {
  readonly calls: SsoCall[] = [];
  readonly secrets = new Set<string>();
  readonly script: { [K in 'RegisterClient' | 'StartDeviceAuthorization' | 'CreateToken' | 'Logout']: Answer<unknown>[] } = {
    RegisterClient: [],
    StartDeviceAuthorization: [],
    CreateToken: [],
    Logout: [],
  };
  registrationLifetimeMs = 90 * 24 * 3600_000;
  tokenLifetimeSeconds = 8 * 3600;
  issueRefreshTokens = true;
  authorizationEndpoint: string | undefined;
  deviceAuthorization: Partial<DeviceAuthorization> = {};
  private counter = 0;

  readonly oidc: SsoOidcApi = this;
  readonly portal: SsoPortalApi = this;

  constructor(private readonly clock: Clock) {}

  /** The calls of one operation. */
  of(op: SsoOp): SsoCall[] {
    return this.calls.filter((c) => c.op === op);
  }

  private next(): string {
    return String(++this.counter).padStart(4, '0');
  }

  private secret(value: string): string {
    this.secrets.add(value);
    return value;
  }

  private async answer<T>(op: keyof RecordingSsoApi['script'], fresh: () => T): Promise<T> {
    const scripted = this.script[op].shift() as Answer<T> | undefined;
    if (scripted === undefined) return fresh();
    const value = typeof scripted === 'function' ? await (scripted as () => T | Error | Promise<T | Error>)() : scripted;
    if (value instanceof Error) throw value;
    return value;
  }

  async registerClient(target: SsoTarget, request: RegisterClientRequest): Promise<ClientRegistration> {
    this.calls.push({ op: 'RegisterClient', target, request: structuredClone(request) });
    return this.answer('RegisterClient', () => {
      const n = this.next();
      return { clientId: `client-${n}`, clientSecret: this.secret(`client-secret-${n}-Zq8xY2`), expiresAt: this.clock.now() + this.registrationLifetimeMs, authorizationEndpoint: this.authorizationEndpoint };
    });
  }

  async startDeviceAuthorization(target: SsoTarget, request: { clientId: string; clientSecret: string; startUrl: string }): Promise<DeviceAuthorization> {
    this.calls.push({ op: 'StartDeviceAuthorization', target, request: { ...request } });
    return this.answer('StartDeviceAuthorization', () => {
      const n = this.next();
      return { deviceCode: this.secret(`device-code-${n}-Kp3`), userCode: 'ABCD-EFGH', verificationUri: 'https://device.sso.eu-west-1.amazonaws.com/', verificationUriComplete: 'https://device.sso.eu-west-1.amazonaws.com/?user_code=ABCD-EFGH', expiresIn: 600, ...this.deviceAuthorization };
    });
  }

  async createToken(target: SsoTarget, request: CreateTokenRequest): Promise<TokenResult> {
    this.calls.push({ op: 'CreateToken', target, request: { ...request } });
    return this.answer('CreateToken', () => this.token());
  }

  /** A fresh token as CreateToken would answer it. */
  token(overrides: Partial<TokenResult> = {}): TokenResult {
    const n = this.next();
    return { accessToken: this.secret(`access-${n}-Rt7wPq`), expiresIn: this.tokenLifetimeSeconds, refreshToken: this.issueRefreshTokens ? this.secret(`refresh-${n}-Lm4vBn`) : undefined, tokenType: 'Bearer', ...overrides };
  }

  async resolveEndpoint(target: SsoTarget): Promise<string> {
    this.calls.push({ op: 'ResolveEndpoint', target });
    return target.endpoint ?? `https://oidc.${target.region}.amazonaws.com`;
  }

  async listAccounts(target: SsoTarget, request: { accessToken: string }): Promise<SsoPage<SsoAccount>> {
    this.calls.push({ op: 'ListAccounts', target, request: { ...request } });
    return { items: [] };
  }

  async listAccountRoles(target: SsoTarget, request: { accessToken: string; accountId: string }): Promise<SsoPage<{ roleName: string; accountId: string }>> {
    this.calls.push({ op: 'ListAccountRoles', target, request: { ...request } });
    return { items: [] };
  }

  async getRoleCredentials(target: SsoTarget, request: { accessToken: string; accountId: string; roleName: string }): Promise<AwsCredentials & { expiration: Date }> {
    this.calls.push({ op: 'GetRoleCredentials', target, request: { ...request } });
    const n = this.next();
    return { accessKeyId: `ASIASSO${n}`, secretAccessKey: this.secret(`sso-secret-${n}`), sessionToken: this.secret(`sso-token-${n}`), expiration: new Date(this.clock.now() + 3600_000) };
  }

  async logout(target: SsoTarget, request: { accessToken: string }): Promise<void> {
    this.calls.push({ op: 'Logout', target, request: { ...request } });
    await this.answer('Logout', () => undefined);
  }
}

export function ssoError(errorName: string, message = errorName, httpStatus = 400): SsoApiError {
  return new SsoApiError(errorName, message, httpStatus);
}
