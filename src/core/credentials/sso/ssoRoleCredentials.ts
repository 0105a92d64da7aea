import type { SsoSettings } from '../sourceCredentials';
import type { AwsCredentials } from '../stsApi';
import { SsoApiError, type SsoPortalApi } from './ssoApi';
import type { SsoSession } from './ssoConfig';
import { SsoSignInRequired } from './ssoErrors';
import type { SsoTokenService } from './tokenService';

/** The sign-in a profile's or discovered role's settings name: what the token service reads, renews and signs out. */
export function signInOf(sso: SsoSettings): SsoSession {
  return { name: sso.session, startUrl: sso.startUrl, region: sso.region, scopes: sso.scopes, endpoints: { oidc: sso.oidcEndpoint, portal: sso.endpoint } };
}

/**
 * Role credentials from IAM Identity Center with this extension's own token handling: the token
 * is read from the AWS CLI's cache file and renewed there when less than 15 minutes remain (so the
 * CLI and SDKs in terminals see the renewed one too), then GetRoleCredentials. A token the portal
 * no longer accepts (signed out elsewhere, revoked) asks for a sign-in, like a missing one.
 */
export async function ssoRoleCredentials(tokens: SsoTokenService, portal: () => Promise<SsoPortalApi>, sso: SsoSettings, signal?: AbortSignal): Promise<AwsCredentials> {
  const session = signInOf(sso);
  const token = await tokens.getToken(session);
  try {
    return await (await portal()).getRoleCredentials({ region: sso.region, endpoint: sso.endpoint, signal }, { accessToken: token.accessToken, accountId: sso.accountId, roleName: sso.roleName });
  } catch (e) {
    if (e instanceof SsoApiError && e.errorName === 'UnauthorizedException') {
      throw new SsoSignInRequired(`IAM Identity Center no longer accepts the sign-in of ${sso.session ? `sso-session "${sso.session}"` : sso.startUrl} (signed out or revoked). Run "AWS: Sign In to IAM Identity Center".`, sso.session, 'refused');
    }
    throw e;
  }
}
