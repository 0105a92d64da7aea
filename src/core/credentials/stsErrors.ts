import { RoleSwitchError, type ErrorCode, type StsFailure } from '../errors';

/** What we were doing when STS said no, so the message can say which profile and which role. */
export interface StsCallContext {
  /** The profile the user picked. */
  profile: string;
  /** The profile whose hop failed (differs from `profile` in a chain). */
  hopProfile: string;
  action: 'AssumeRole' | 'GetCallerIdentity' | 'GetSessionToken';
  roleArn?: string;
  sourceProfile?: string;
  durationSeconds?: number;
  chained?: boolean;
  mfaSerial?: string;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ETIMEDOUT']);

/** Turns an STS failure into a message that names the profile and the fix. */
export function describeStsFailure(failure: StsFailure, ctx: StsCallContext): RoleSwitchError {
  const who = ctx.hopProfile === ctx.profile ? `profile "${ctx.profile}"` : `profile "${ctx.hopProfile}" (source of "${ctx.profile}")`;
  const source = ctx.sourceProfile ? `source profile "${ctx.sourceProfile}"` : 'the source credentials';
  const role = ctx.roleArn ?? 'the role';
  const code = failure.code.replace(/Exception$/, '');
  const make = (message: string, errorCode: ErrorCode) => new RoleSwitchError(message, errorCode, ctx.profile);

  // "unable to validate": the serial is not an MFA device of the caller (or the caller is a role
  // session, which has none), so a fresh code would not help.
  if (/unable to validate MFA code/i.test(failure.message)) {
    const fix = ctx.chained
      ? 'This hop is signed by a role session, which has no MFA device: put mfa_serial on the profile of the first role in the chain instead.'
      : `mfa_serial must be the ARN of an MFA device of the IAM user behind ${source}.`;
    return make(`STS could not use MFA device ${ctx.mfaSerial ?? 'from mfa_serial'} for ${who}. ${fix}`, 'AccessDenied');
  }
  if (/MultiFactorAuthentication failed|invalid MFA/i.test(failure.message)) {
    return make(`The MFA code for ${who} was not accepted (device ${ctx.mfaSerial ?? 'from mfa_serial'}). Wait for the next code from your device and try again; each code works only once.`, 'MfaCodeRejected');
  }
  switch (code) {
    case 'AccessDenied':
      return make(
        `Access denied assuming ${role} for ${who}. The role's trust policy must name your principal (the identity of ${source}), and that principal needs sts:AssumeRole on the role${ctx.mfaSerial ? '; MFA may also be required' : ''}. STS said: ${failure.message}`,
        'AccessDenied',
      );
    case 'InvalidClientTokenId':
      return make(`The access key of ${source} is not valid (InvalidClientTokenId) while using ${who}. Check aws_access_key_id in your credentials file, or create a new access key in IAM.`, 'InvalidClientTokenId');
    case 'ExpiredToken':
      return make(`The credentials of ${source} have expired (ExpiredToken) while using ${who}. Renew them (new session token, or assume the source role again) and retry.`, 'ExpiredToken');
    case 'SignatureDoesNotMatch':
      return make(
        `STS rejected the request signature for ${who} (SignatureDoesNotMatch). Check aws_secret_access_key of ${source}; if it is right, check this computer's clock.${/expired|skew/i.test(failure.message) ? ' STS says the request time is too far from its own: sync the clock.' : ''}`,
        'SignatureDoesNotMatch',
      );
    case 'ValidationError':
    case 'InvalidParameterValue':
      if (/DurationSeconds/i.test(failure.message)) {
        const limit = /chaining/i.test(failure.message) || ctx.chained ? 'the 1 hour limit for a role assumed from another role (role chaining)' : "the role's maximum session duration";
        return make(`duration_seconds ${ctx.durationSeconds ?? ''} of ${who} exceeds ${limit}. Lower duration_seconds in the profile (or raise the role's maximum session duration in IAM).`.replace('  ', ' '), 'DurationTooLong');
      }
      return make(`STS rejected the request for ${who}: ${failure.message} Fix the profile's settings and retry.`, 'ValidationError');
    case 'TimeoutError':
    case 'RequestTimeout':
      return make(`STS at ${failure.endpoint} did not answer in time for ${who}. Check your network, proxy or the STS endpoint setting, then retry.`, 'Timeout');
  }
  if (NETWORK_CODES.has(failure.code)) {
    return make(`STS at ${failure.endpoint} could not be reached for ${who} (${failure.code}). Check your network, proxy, or endpoint_url / AWS_ENDPOINT_URL_STS, then retry.`, 'Unreachable');
  }
  return make(`STS call ${ctx.action} failed for ${who}: ${failure.code}${failure.message ? `: ${failure.message}` : ''}`, 'Sts');
}

