import type { Env } from '../config/filePaths';
import type { Profile, ProfileSet } from '../config/profiles';
import { resolveConfiguredEndpoint } from './configuredEndpoint';

/**
 * The region STS is called in. The environment wins over the profile's `region`, as in the
 * AWS CLI (botocore reads AWS_DEFAULT_REGION before the config file) and every AWS SDK
 * (AWS_REGION first); us-east-1 when nothing says, where the CLI would refuse to guess.
 */
export function resolveRegion(profile: Profile, env: Env): string {
  return env.AWS_REGION || env.AWS_DEFAULT_REGION || profile.region || 'us-east-1';
}

/**
 * A configured STS endpoint (AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, the profile's `services`
 * section, its `endpoint_url`), or undefined for the SDK's own regional endpoint.
 */
export function resolveStsEndpoint(set: ProfileSet, profile: Profile, env: Env): string | undefined {
  return resolveConfiguredEndpoint(set, profile, env, 'sts');
}
