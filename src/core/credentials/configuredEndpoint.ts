import type { Env } from '../config/filePaths';
import type { Profile, ProfileSet } from '../config/profiles';

/**
 * A service as botocore names it for configured endpoints: the snake_case service id, which is both
 * the key in a `[services NAME]` section and, upper-cased, the suffix of AWS_ENDPOINT_URL_<ID>.
 */
export type EndpointServiceId = 'sts' | 'sso' | 'sso_oidc';

function isTrue(value: string | undefined): boolean {
  return value?.trim().toLowerCase() === 'true';
}

/**
 * A configured endpoint for one service, in botocore's order (ConfiguredEndpointProvider), or
 * undefined for the SDK's own regional endpoint: AWS_ENDPOINT_URL_<ID>, AWS_ENDPOINT_URL, the
 * profile's `services` section (`sts =\n  endpoint_url = ...`), then the profile's `endpoint_url`.
 * `ignore_configured_endpoint_urls` (or AWS_IGNORE_CONFIGURED_ENDPOINT_URLS) turns all of them off.
 * `profile` is the profile the client is created for (botocore: the session's profile); without
 * one only the environment counts.
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 */
export function resolveConfiguredEndpoint(set: ProfileSet, profile: Profile | undefined, env: Env, service: EndpointServiceId): string | undefined {
  if (isTrue(env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS) || isTrue(profile?.settings.ignore_configured_endpoint_urls)) return undefined;
  const fromEnv = env[`AWS_ENDPOINT_URL_${service.toUpperCase()}`] || env.AWS_ENDPOINT_URL;
  if (fromEnv) return fromEnv.trim();
  if (!profile) return undefined;
  const own = profileEndpoints(set, profile);
  return own?.services[service] ?? own?.endpointUrl;
}

/** The endpoints a profile itself configures; undefined when it sets `ignore_configured_endpoint_urls`. */
export interface ProfileEndpoints {
  /** The profile's `endpoint_url`: every service without one of its own. */
  readonly endpointUrl?: string;
  /** From the profile's `services` section: service id (as written there) to URL. */
  readonly services: Readonly<Record<string, string>>;
}

export function profileEndpoints(set: ProfileSet, profile: Profile): ProfileEndpoints | undefined {
  if (isTrue(profile.settings.ignore_configured_endpoint_urls)) return undefined;
  const servicesName = profile.settings.services;
  const section = servicesName ? set.services[servicesName] : undefined;
  const services: Record<string, string> = {};
  for (const [key, value] of Object.entries(section ?? {})) {
    const service = /^(.+)\.endpoint_url$/.exec(key)?.[1];
    if (service && value?.trim()) services[service] = value.trim();
  }
  return { endpointUrl: profile.settings.endpoint_url?.trim() || undefined, services };
}
