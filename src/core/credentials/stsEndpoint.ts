import type { Env } from '../config/filePaths';
import type { Profile, ProfileSet } from '../config/profiles';

/**
 * The region STS is called in. The environment wins over the profile's `region`, as in the
 * AWS CLI (botocore reads AWS_DEFAULT_REGION before the config file) and every AWS SDK
 * (AWS_REGION first); us-east-1 when nothing says, where the CLI would refuse to guess.
 */
export function resolveRegion(profile: Profile, env: Env): string {
  return env.AWS_REGION || env.AWS_DEFAULT_REGION || profile.region || 'us-east-1';
}

function isTrue(value: string | undefined): boolean {
  return value?.trim().toLowerCase() === 'true';
}

/**
 * A configured STS endpoint, in the SDKs' precedence order, or undefined for the
 * SDK's own regional endpoint:
 * AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, the profile's `services` section (`sts = \n endpoint_url = ...`),
 * then the profile's `endpoint_url`. `ignore_configured_endpoint_urls` (or its env var) turns all off.
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 */
export function resolveStsEndpoint(set: ProfileSet, profile: Profile, env: Env): string | undefined {
  if (isTrue(env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS) || isTrue(profile.settings.ignore_configured_endpoint_urls)) return undefined;
  const fromEnv = env.AWS_ENDPOINT_URL_STS || env.AWS_ENDPOINT_URL;
  if (fromEnv) return fromEnv.trim();
  const servicesName = profile.settings.services;
  const services = servicesName ? set.services[servicesName] : undefined;
  const fromServices = services?.['sts.endpoint_url'];
  if (fromServices) return fromServices.trim();
  return profile.settings.endpoint_url?.trim() || undefined;
}
