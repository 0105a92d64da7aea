import type { Clock } from '../../clock';
import { RoleSwitchError } from '../../errors';
import { SsoApiError, type SsoApis } from './ssoApi';
import { describeSsoSession, type SsoSession } from './ssoConfig';
import { SIGN_IN_COMMAND_TITLE, SsoSignInRequired, type SignInRequiredReason } from './ssoErrors';
import { deleteToken, readToken, tokenFilePath, tokenFromResult, writeToken, type SsoToken } from './tokenCache';

/**
 * The one source of IAM Identity Center access tokens for the rest of the extension. The token
 * file is the truth and is read again on every call (the CLI or an SDK may have refreshed or
 * replaced it); the token is renewed as botocore's SSOTokenProvider renews it, before anyone
 * needs a new one, and written back for the CLI and the SDKs.
 */

/** botocore's SSOTokenProvider._REFRESH_WINDOW: renew when less than this is left. */
export const TOKEN_REFRESH_WINDOW_MS = 15 * 60_000;
/** botocore's DeferredRefreshableToken._attempt_timeout: at most one refresh attempt a minute per token. */
export const REFRESH_ATTEMPT_INTERVAL_MS = 60_000;

/** Service answers that mean the refresh token or the registration will never work again. */
const REFUSALS = new Set([
  'InvalidGrantException',
  'InvalidClientException',
  'UnauthorizedClientException',
  'ExpiredTokenException',
  'AccessDeniedException',
  'InvalidRequestException',
  'InvalidScopeException',
  'UnsupportedGrantTypeException',
]);

/** A usable access token and what the caller needs to schedule around it. Holds a secret. */
export interface SsoAccessToken {
  accessToken: string;
  /** ms since the epoch. */
  expiresAt: number;
  /** Whether it can be renewed without the user (an sso-session, a refresh token, a live registration). */
  refreshable: boolean;
  /** The token file it came from. */
  file: string;
}

/** Something the user may want to know, never holding a secret: the VS Code side logs it (and may notify). */
export interface TokenProblem {
  kind: 'refreshFailed' | 'refreshRefused' | 'logoutFailed';
  /** The sso-session name; undefined for a legacy profile. */
  ssoSession: string | undefined;
  message: string;
  /** For a refresh problem: when the token still in the file expires. */
  expiresAt?: number;
}

export interface TokenServiceOptions {
  /** The SDK-backed services, loaded on the first call that needs them (a valid token needs none). */
  apis: () => Promise<SsoApis>;
  clock: Clock;
  /** The token folder (default ~/.aws/sso/cache). */
  cacheDir?: string;
  /** Receives every access token, refresh token and client secret read or obtained, for the redactor. */
  onSecret?(...values: (string | undefined)[]): void;
  report?(problem: TokenProblem): void;
}

function whatFailed(e: unknown): string {
  if (e instanceof SsoApiError) return e.message && e.message !== e.errorName ? `${e.errorName}: ${e.message}` : e.errorName;
  return e instanceof Error ? e.message : String(e);
}

export class SsoTokenService {
  /** One refresh at a time per token file: the callers that arrive meanwhile share its outcome. */
  private readonly refreshing = new Map<string, Promise<SsoAccessToken>>();
  private readonly lastAttempt = new Map<string, number>();
  /** Refresh tokens the service refused, per file, with its answer: never sent again. */
  private readonly refused = new Map<string, { refreshToken: string; errorName: string }>();

  constructor(private readonly options: TokenServiceOptions) {}

  /**
   * The session's access token, renewed first when less than 15 minutes remain and it can be.
   * Throws SsoSignInRequired when there is none, or it expired and cannot be renewed.
   */
  async getToken(session: SsoSession): Promise<SsoAccessToken> {
    const file = tokenFilePath(session, this.options.cacheDir);
    const token = await this.read(file);
    if (!token) throw this.signInRequired(session, 'missing');
    const now = this.options.clock.now();
    if (token.expiresAt - now >= TOKEN_REFRESH_WINDOW_MS) return this.accessToken(session, token, file);
    const blocked = this.whyNotRenewable(session, token, file, now);
    if (blocked) {
      if (token.expiresAt > now) return this.accessToken(session, token, file);
      throw this.signInRequired(session, blocked, this.refused.get(file)?.errorName);
    }
    let inFlight = this.refreshing.get(file);
    if (!inFlight) {
      inFlight = this.refresh(session, file).finally(() => this.refreshing.delete(file));
      this.refreshing.set(file, inFlight);
    }
    return inFlight;
  }

  /**
   * When the VS Code side should call getToken again to renew in the background: 15 minutes before
   * expiry (botocore's window), not sooner than a minute after the last attempt; undefined when
   * the token cannot be renewed (then only a sign-in helps, at expiresAt).
   */
  nextRefreshAt(token: SsoAccessToken): number | undefined {
    if (!token.refreshable) return undefined;
    const last = this.lastAttempt.get(token.file);
    return Math.max(token.expiresAt - TOKEN_REFRESH_WINDOW_MS, last !== undefined ? last + REFRESH_ATTEMPT_INTERVAL_MS : -Infinity);
  }

  /** A new sign-in wrote a new token: earlier attempts and refusals no longer apply to it. */
  signedIn(session: SsoSession): void {
    const file = tokenFilePath(session, this.options.cacheDir);
    this.lastAttempt.delete(file);
    this.refused.delete(file);
  }

  /** Signs out: the portal's Logout (a failure is reported, not thrown: the local token goes anyway), then the token file is deleted. */
  async signOut(session: SsoSession): Promise<void> {
    const file = tokenFilePath(session, this.options.cacheDir);
    // A refresh under way would write the file again after it is deleted.
    await this.refreshing.get(file)?.catch(() => undefined);
    const token = await this.read(file).catch(() => undefined);
    if (token && token.expiresAt > this.options.clock.now()) {
      try {
        const { portal } = await this.options.apis();
        await portal.logout({ region: session.region, endpoint: session.endpoints?.portal }, { accessToken: token.accessToken });
      } catch (e) {
        this.options.report?.({ kind: 'logoutFailed', ssoSession: session.name, message: `IAM Identity Center's Logout failed for ${describeSsoSession(session)} (${whatFailed(e)}); the local token was deleted anyway.` });
      }
    }
    await deleteToken(file);
    this.lastAttempt.delete(file);
    this.refused.delete(file);
  }

  private async read(file: string): Promise<SsoToken | undefined> {
    const token = await readToken(file);
    if (token) this.options.onSecret?.(token.accessToken, token.refreshToken, token.clientSecret);
    return token;
  }

  private accessToken(session: SsoSession, token: SsoToken, file: string): SsoAccessToken {
    return { accessToken: token.accessToken, expiresAt: token.expiresAt, refreshable: !this.whyNotRenewable(session, token, file, this.options.clock.now()), file };
  }

  /** botocore's conditions to refresh (an sso-session, refreshToken, clientId, clientSecret, a live registration), plus: not already refused. */
  private whyNotRenewable(session: SsoSession, token: SsoToken, file: string, now: number): SignInRequiredReason | undefined {
    if (session.name === undefined || !token.refreshToken || !token.clientId || !token.clientSecret || token.registrationExpiresAt === undefined) return 'notRenewable';
    if (token.registrationExpiresAt <= now) return 'registrationExpired';
    if (this.refused.get(file)?.refreshToken === token.refreshToken) return 'refused';
    return undefined;
  }

  private async refresh(session: SsoSession, file: string): Promise<SsoAccessToken> {
    const { clock } = this.options;
    // Read again just before the call: the CLI may have refreshed (and rotated the refresh token) meanwhile.
    const token = await this.read(file);
    if (!token) throw this.signInRequired(session, 'missing');
    const now = clock.now();
    if (token.expiresAt - now >= TOKEN_REFRESH_WINDOW_MS) return this.accessToken(session, token, file);
    const blocked = this.whyNotRenewable(session, token, file, now);
    if (blocked) {
      if (token.expiresAt > now) return this.accessToken(session, token, file);
      throw this.signInRequired(session, blocked, this.refused.get(file)?.errorName);
    }
    const last = this.lastAttempt.get(file);
    if (last !== undefined && now - last < REFRESH_ATTEMPT_INTERVAL_MS && token.expiresAt > now) return this.accessToken(session, token, file);
    this.lastAttempt.set(file, now);

    const { clientId, clientSecret, refreshToken } = token as Required<Pick<SsoToken, 'clientId' | 'clientSecret' | 'refreshToken'>>;
    try {
      const { oidc } = await this.options.apis();
      const result = await oidc.createToken({ region: session.region, endpoint: session.endpoints?.oidc }, { grantType: 'refresh_token', clientId, clientSecret, refreshToken });
      this.options.onSecret?.(result.accessToken, result.refreshToken);
      const renewed = tokenFromResult(session, result, { clientId, clientSecret, expiresAt: token.registrationExpiresAt as number }, clock.now(), refreshToken);
      await writeToken(file, renewed);
      return this.accessToken(session, renewed, file);
    } catch (e) {
      const refusedNow = e instanceof SsoApiError && REFUSALS.has(e.errorName);
      if (refusedNow) this.refused.set(file, { refreshToken, errorName: e.errorName });
      const stillValid = token.expiresAt > clock.now();
      this.options.report?.({
        kind: refusedNow ? 'refreshRefused' : 'refreshFailed',
        ssoSession: session.name,
        expiresAt: token.expiresAt,
        message: `Renewing the IAM Identity Center token of ${describeSsoSession(session)} failed (${whatFailed(e)}).${stillValid ? ` The current token stays in use until it expires${refusedNow ? `; then run "${SIGN_IN_COMMAND_TITLE}"` : ''}.` : ''}`,
      });
      if (stillValid) return this.accessToken(session, token, file);
      if (refusedNow) throw this.signInRequired(session, 'refused', (e as SsoApiError).errorName);
      if (e instanceof RoleSwitchError) throw e;
      const timeout = e instanceof SsoApiError && e.errorName === 'TimeoutError';
      throw new RoleSwitchError(
        `The IAM Identity Center token of ${describeSsoSession(session)} has expired and could not be renewed (${whatFailed(e)}). Check the network and try again, or run "${SIGN_IN_COMMAND_TITLE}".`,
        timeout ? 'Timeout' : 'Unreachable',
      );
    }
  }

  private signInRequired(session: SsoSession, reason: SignInRequiredReason, serviceError?: string): SsoSignInRequired {
    const who = describeSsoSession(session);
    const fix = `Run "${SIGN_IN_COMMAND_TITLE}"${session.name !== undefined ? ` for "${session.name}"` : ''}.`;
    const why: Record<SignInRequiredReason, string> = {
      missing: `You are not signed in to IAM Identity Center for ${who}.`,
      notRenewable: `The IAM Identity Center sign-in of ${who} has expired and cannot be renewed${session.name === undefined ? ' (a profile without an sso-session never renews its token)' : ''}.`,
      registrationExpired: `The IAM Identity Center sign-in of ${who} has expired, and so has its client registration.`,
      refused: `IAM Identity Center refused to renew the sign-in of ${who}${serviceError ? ` (${serviceError})` : ''}.`,
    };
    return new SsoSignInRequired(`${why[reason]} ${fix}`, session.name, reason);
  }
}
