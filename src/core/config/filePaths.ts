import * as os from 'node:os';
import * as path from 'node:path';

/** The process environment as the AWS CLI and SDKs read it (AWS_CONFIG_FILE, AWS_REGION, AWS_ENDPOINT_URL_*...). */
export type Env = Readonly<Record<string, string | undefined>>;

/** Where the two shared files live, and why: a user asking "which file?" gets an answer. */
export interface AwsFilePaths {
  configPath: string;
  credentialsPath: string;
}

export interface PathOverrides {
  configFile?: string;
  credentialsFile?: string;
}

export function expandHome(p: string, home = os.homedir()): string {
  if (p === '~') return home;
  if (p.startsWith('~/') || p.startsWith('~\\')) return path.join(home, p.slice(2));
  return p;
}

/**
 * Resolves the shared file paths the way the AWS CLI does (AWS_CONFIG_FILE,
 * AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/...), with the extension's settings winning
 * over both because the user set them for this editor on purpose.
 */
export function resolveAwsFilePaths(
  overrides: PathOverrides,
  env: Env,
  home = os.homedir(),
): AwsFilePaths {
  const pick = (setting: string | undefined, envName: string, fallback: string) => {
    const chosen = setting?.trim() || env[envName]?.trim() || path.join(home, '.aws', fallback);
    return path.resolve(expandHome(chosen, home));
  };
  return {
    configPath: pick(overrides.configFile, 'AWS_CONFIG_FILE', 'config'),
    credentialsPath: pick(overrides.credentialsFile, 'AWS_SHARED_CREDENTIALS_FILE', 'credentials'),
  };
}

