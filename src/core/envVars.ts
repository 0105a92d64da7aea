import type { Session } from './session';

/** Every variable the extension may set in terminals; on drop exactly these are removed, nothing else. */
export const MANAGED_ENV_NAMES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_CREDENTIAL_EXPIRATION',
] as const;

export type ManagedEnvName = (typeof MANAGED_ENV_NAMES)[number];

/**
 * The variables a terminal needs to act as the session, as `aws configure export-credentials`
 * prints them. AWS_PROFILE is not set: it would make the CLI prefer the profile over these keys
 * and prompt for MFA again.
 */
export function buildSessionEnvironment(session: Session): Record<ManagedEnvName, string | undefined> {
  const c = session.credentials;
  return {
    AWS_ACCESS_KEY_ID: c.accessKeyId,
    AWS_SECRET_ACCESS_KEY: c.secretAccessKey,
    AWS_SESSION_TOKEN: c.sessionToken,
    AWS_REGION: session.region,
    AWS_DEFAULT_REGION: session.region,
    AWS_CREDENTIAL_EXPIRATION: session.expiresAt !== undefined ? new Date(session.expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z') : undefined,
  };
}
