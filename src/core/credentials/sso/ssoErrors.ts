import { RoleSwitchError } from '../../errors';

/** The command that signs in, named in every message that asks for it. */
export const SIGN_IN_COMMAND_TITLE = 'AWS: Sign In to IAM Identity Center';

/** A wait as a message says it: "5 minutes", "90 seconds". */
export function describeWait(ms: number): string {
  const minutes = ms / 60_000;
  return Number.isInteger(minutes) ? `${minutes} minute${minutes === 1 ? '' : 's'}` : `${Math.round(ms / 1000)} seconds`;
}

/** Why a token cannot be used or renewed without a new sign-in. */
export type SignInRequiredReason = 'missing' | 'notRenewable' | 'registrationExpired' | 'refused';

/**
 * The token of an sso-session is missing, or expired and cannot be renewed: only a new sign-in
 * helps. The VS Code side offers Sign In on this code (and never opens a browser by itself).
 */
export class SsoSignInRequired extends RoleSwitchError {
  constructor(
    message: string,
    /** The sso-session name, or undefined for a legacy profile's start URL. */
    readonly ssoSession: string | undefined,
    readonly reason: SignInRequiredReason,
  ) {
    super(message, 'SsoSignInRequired');
    this.name = 'SsoSignInRequired';
  }
}

/** Why a sign-in did not end with a token. */
export type SignInFailure = 'denied' | 'timeout' | 'cancelled' | 'expired' | 'failed';

/**
 * A sign-in that did not complete: refused in the browser (`error=access_denied`), not finished in
 * time, cancelled, its device code expired, or refused by the service. `oauthError` is the OAuth
 * or service error code when there was one.
 */
export class SsoSignInError extends RoleSwitchError {
  constructor(
    message: string,
    readonly failure: SignInFailure,
    readonly oauthError?: string,
  ) {
    super(message, failure === 'cancelled' ? 'SsoSignInCancelled' : failure === 'timeout' ? 'Timeout' : 'SsoSignInFailed');
    this.name = 'SsoSignInError';
  }
}
