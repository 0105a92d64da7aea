/** What core needs from STS. The SDK-backed implementation lives in stsClient.ts and is loaded lazily. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  /** Absent for long-term IAM user keys. */
  readonly expiration?: Date;
}

export interface StsCallOptions {
  credentials: AwsCredentials;
  region: string;
  /** Undefined: the SDK's regional endpoint for `region`. */
  endpoint?: string;
  signal?: AbortSignal;
}

export interface AssumeRoleRequest {
  RoleArn: string;
  RoleSessionName: string;
  ExternalId?: string;
  SerialNumber?: string;
  TokenCode?: string;
  DurationSeconds?: number;
}

export interface AssumeRoleResult {
  credentials: AwsCredentials & { readonly expiration: Date };
  assumedRoleArn: string;
  assumedRoleId?: string;
}

export interface CallerIdentity {
  arn: string;
  account: string;
  userId: string;
}

export interface SessionTokenRequest {
  SerialNumber?: string;
  TokenCode?: string;
  DurationSeconds?: number;
}

export interface StsApi {
  assumeRole(options: StsCallOptions, request: AssumeRoleRequest): Promise<AssumeRoleResult>;
  getCallerIdentity(options: StsCallOptions): Promise<CallerIdentity>;
  /** An MFA-authenticated session of an IAM user, for assuming roles without a code each time. */
  getSessionToken(options: StsCallOptions, request: SessionTokenRequest): Promise<{ credentials: AwsCredentials & { readonly expiration: Date } }>;
}
