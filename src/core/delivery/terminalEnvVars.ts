import type { Session } from '../session/session';
import type { ProfileEndpoints } from '../credentials/configuredEndpoint';

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

/** Variables for configured endpoints, as the SDKs name them: AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>. */
const ENDPOINT_ENV = /^AWS_ENDPOINT_URL(_[A-Z0-9_]+)?$/;

/** Whether the extension may have set this variable (and so removes it on drop): the fixed list, or a configured endpoint. */
export function isManagedEnvName(name: string): boolean {
  return (MANAGED_ENV_NAMES as readonly string[]).includes(name) || ENDPOINT_ENV.test(name);
}

/**
 * The SDKs' rule for a service's endpoint variable: the service id upper-cased, spaces and dashes
 * to underscores (`sso-oidc` → AWS_ENDPOINT_URL_SSO_OIDC).
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 */
export function endpointEnvName(serviceId: string): string {
  return `AWS_ENDPOINT_URL_${serviceId.trim().toUpperCase().replace(/[ -]/g, '_')}`;
}

/**
 * The profile's own configured endpoints as variables, so a terminal that runs as the profile
 * also calls where the profile does (LocalStack, a test STS). Only what the profile configures:
 * nothing when it sets `ignore_configured_endpoint_urls`.
 */
export function profileEndpointEnv(endpoints: ProfileEndpoints | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  if (!endpoints) return env;
  if (endpoints.endpointUrl) env.AWS_ENDPOINT_URL = endpoints.endpointUrl;
  for (const [service, url] of Object.entries(endpoints.services)) env[endpointEnvName(service)] = url;
  return env;
}
