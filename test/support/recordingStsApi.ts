// The StsApi the core's unit tests inject: records calls, answers from the test's clock.
import type { Clock } from '../../src/core/clock';
import { StsCallError } from '../../src/core/errors';
import type { AssumeRoleRequest, AssumeRoleResult, AwsCredentials, CallerIdentity, SessionTokenRequest, StsApi, StsCallOptions } from '../../src/core/credentials/stsApi';

export interface StsCall {
  op: 'AssumeRole' | 'GetCallerIdentity' | 'GetSessionToken';
  options: StsCallOptions;
  request?: AssumeRoleRequest;
}

/**
 * An in-process StsApi for the core's unit tests: no HTTP, no signatures, no trust policies.
 * Records every call. AssumeRole answers with credentials numbered by call (ASIAFAKE0001...)
 * that expire DurationSeconds after the clock's now, unless a failure was registered for that
 * role ARN. (The strict stand-in that checks SigV4 and STS's rules over HTTP is LoopbackSts,
 * test/support/loopbackSts.ts.)
 */
export class RecordingStsApi implements StsApi {
  readonly calls: StsCall[] = [];
  readonly failures = new Map<string, Error>();
  identity: CallerIdentity = { arn: 'arn:aws:iam::111111111111:user/alice', account: '111111111111', userId: 'AIDAALICE' };
  identityFailure: Error | undefined;
  /** When set, an AssumeRole or GetSessionToken carrying another TokenCode is refused as STS refuses a wrong code. */
  acceptedCodes: Set<string> | undefined;

  constructor(private readonly clock: Clock) {}

  failRole(roleArn: string, error: Error): this {
    this.failures.set(roleArn, error);
    return this;
  }

  /** Accepts only these MFA codes from now on. */
  acceptOnlyCodes(...codes: string[]): this {
    this.acceptedCodes = new Set(codes);
    return this;
  }

  private checkCode(code: string | undefined): void {
    if (code !== undefined && this.acceptedCodes && !this.acceptedCodes.has(code)) throw stsError('AccessDenied', 'MultiFactorAuthentication failed with invalid MFA one time pass code.', 403);
  }

  async assumeRole(options: StsCallOptions, request: AssumeRoleRequest): Promise<AssumeRoleResult> {
    this.calls.push({ op: 'AssumeRole', options, request: { ...request } });
    this.checkCode(request.TokenCode);
    const failure = this.failures.get(request.RoleArn);
    if (failure) throw failure;
    const n = String(this.calls.length).padStart(4, '0');
    const match = /^arn:([^:]+):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(request.RoleArn);
    const [, partition, account, roleName] = match ?? ['', 'aws', '000000000000', 'Unknown'];
    return {
      credentials: {
        accessKeyId: `ASIAFAKE${n}`,
        secretAccessKey: `secret-${n}`,
        sessionToken: `token-${n}`,
        expiration: new Date(this.clock.now() + (request.DurationSeconds ?? 3600) * 1000),
      },
      assumedRoleArn: `arn:${partition}:sts::${account}:assumed-role/${roleName}/${request.RoleSessionName}`,
    };
  }

  async getSessionToken(options: StsCallOptions, request: SessionTokenRequest): Promise<{ credentials: AwsCredentials & { expiration: Date } }> {
    this.calls.push({ op: 'GetSessionToken', options, request: { RoleArn: '', RoleSessionName: '', ...request } });
    this.checkCode(request.TokenCode);
    const n = String(this.calls.length).padStart(4, '0');
    return { credentials: { accessKeyId: `ASIAMFA${n}`, secretAccessKey: `mfa-secret-${n}`, sessionToken: `mfa-token-${n}`, expiration: new Date(this.clock.now() + (request.DurationSeconds ?? 43200) * 1000) } };
  }

  async getCallerIdentity(options: StsCallOptions): Promise<CallerIdentity> {
    this.calls.push({ op: 'GetCallerIdentity', options });
    if (this.identityFailure) throw this.identityFailure;
    return this.identity;
  }

  credentialsUsed(index: number): AwsCredentials {
    return this.calls[index].options.credentials;
  }
}

export function stsError(code: string, message: string, status?: number): StsCallError {
  return new StsCallError(code, message, 'https://sts.eu-west-1.amazonaws.com', status);
}
