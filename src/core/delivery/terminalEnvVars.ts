import type { Session } from '../session/session';

/** Every variable the extension may set in terminals; on drop exactly these are removed, nothing else. */
export const MANAGED_ENV_NAMES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_CREDENTIAL_EXPIRATION',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
] as const;

export type ManagedEnvName = (typeof MANAGED_ENV_NAMES)[number];

/**
 * The variables a terminal needs to act as the session, as `aws configure export-credentials`
 * prints them. AWS_PROFILE is not set: it would make the CLI prefer the profile over these keys
 * and prompt for MFA again.
 */
export function buildSessionEnvironment(session: Session, endpoint?: { url: string; token: string }): Record<ManagedEnvName, string | undefined> {
  const c = session.credentials;
  // Endpoint mode: no keys in the environment (they would win over the endpoint in every SDK's
  // chain). Long-term keys never change, so they stay plain variables.
  if (endpoint && c.sessionToken) {
    return {
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_SESSION_TOKEN: undefined,
      AWS_CREDENTIAL_EXPIRATION: undefined,
      AWS_REGION: session.region,
      AWS_DEFAULT_REGION: session.region,
      AWS_CONTAINER_CREDENTIALS_FULL_URI: endpoint.url,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: endpoint.token,
    };
  }
  return {
    AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
    AWS_CONTAINER_AUTHORIZATION_TOKEN: undefined,
    AWS_ACCESS_KEY_ID: c.accessKeyId,
    AWS_SECRET_ACCESS_KEY: c.secretAccessKey,
    AWS_SESSION_TOKEN: c.sessionToken,
    AWS_REGION: session.region,
    AWS_DEFAULT_REGION: session.region,
    AWS_CREDENTIAL_EXPIRATION: session.expiresAt !== undefined ? new Date(session.expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z') : undefined,
  };
}
