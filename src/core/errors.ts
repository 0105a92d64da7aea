/**
 * Every failure the user can meet, as one error type that names the profile and
 * says what to do. Adapters show `message`; nothing here may contain a secret.
 */
export type ErrorCode =
  | 'AccessDenied'
  | 'MfaCodeRejected'
  | 'MfaCodeInvalid'
  | 'MfaCancelled'
  | 'InvalidClientTokenId'
  | 'ExpiredToken'
  | 'SignatureDoesNotMatch'
  | 'DurationTooLong'
  | 'ValidationError'
  | 'MissingSourceProfile'
  | 'SourceProfileCycle'
  | 'ConflictingSource'
  | 'NoCredentials'
  | 'UnsupportedSource'
  | 'InvalidProfile'
  | 'ProfileNotFound'
  | 'ConfigRefused'
  | 'FileChanged'
  | 'SsoLoginRequired'
  | 'SsoSignInRequired'
  | 'SsoSignInFailed'
  | 'SsoSignInCancelled'
  | 'AwsLoginRequired'
  | 'MfaRequired'
  | 'NoSession'
  | 'Unreachable'
  | 'Timeout'
  | 'Superseded'
  | 'Sts';

export class RoleSwitchError extends Error {
  constructor(
    message: string,
    readonly code: ErrorCode,
    readonly profile?: string,
  ) {
    super(message);
    this.name = 'RoleSwitchError';
  }
}

/** A failed STS call, normalised by the STS adapter so core never depends on SDK error classes. */
export interface StsFailure {
  /** The STS error code (`AccessDenied`) or a network code (`ECONNREFUSED`, `TimeoutError`). */
  code: string;
  message: string;
  status?: number;
  endpoint: string;
}

export class StsCallError extends Error implements StsFailure {
  constructor(
    readonly code: string,
    message: string,
    readonly endpoint: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'StsCallError';
  }
}

/** Any error as a user-facing sentence; unknown errors keep their message but never a stack. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

/**
 * A failed Identity Center call, normalised by the SDK adapter. `name` is the service's error
 * code (`AuthorizationPendingException`, `SlowDownException`, `ExpiredTokenException`,
 * `InvalidGrantException`, `InvalidClientException`, `UnauthorizedException`,
 * `TooManyRequestsException`, `AccessDeniedException`, ...), or `NetworkError` / `TimeoutError` /
 * `AbortError` for transport failures. `message` never holds a token or the request URL.
 */
export class SsoApiError extends Error {
  constructor(
    readonly errorName: string,
    message: string,
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'SsoApiError';
  }
}
