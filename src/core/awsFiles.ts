import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadSharedConfigFiles } from '@smithy/shared-ini-file-loader';
import type { IniIndex } from './iniDocument';

export type IniSections = Record<string, Record<string, string | undefined>>;

/** Where the two shared files live, and why: a user asking "which file?" gets an answer. */
export interface AwsFilePaths {
  configPath: string;
  credentialsPath: string;
}

export interface FileState {
  path: string;
  /** 'ok' when read; 'missing' is normal for a credentials file; 'error' carries a message for the user. */
  status: 'ok' | 'missing' | 'error';
  error?: string;
}

export interface AwsFiles {
  paths: AwsFilePaths;
  config: FileState;
  credentials: FileState;
  /** `[profile x]` sections keyed by `x`, `[default]`, plus `sso-session.x` and `services.x` sections. */
  configSections: IniSections;
  credentialsSections: IniSections;
  /** Line positions and file-level problems of each file (empty when the file is missing). */
  configIndex: IniIndex;
  credentialsIndex: IniIndex;
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
  env: Record<string, string | undefined>,
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

async function checkFile(p: string): Promise<FileState> {
  try {
    const stat = await fs.stat(p);
    if (stat.isDirectory()) {
      return { path: p, status: 'error', error: `${p} is a directory, not a file. Point the setting or environment variable at the file itself.` };
    }
    await fs.access(p, fs.constants.R_OK);
    return { path: p, status: 'ok' };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { path: p, status: 'missing' };
    if (code === 'EACCES' || code === 'EPERM') {
      return { path: p, status: 'error', error: `${p} cannot be read (permission denied). Fix its permissions, e.g. chmod 600.` };
    }
    return { path: p, status: 'error', error: `${p} cannot be read: ${code ?? String(e)}.` };
  }
}

/**
 * Reads both shared files with the AWS SDK's own parser, so profile names,
 * `sso-session` and `services` sections mean what they mean to the SDK.
 * The parser swallows read errors, so each file is checked first to tell
 * "missing" from "unreadable".
 */
export async function loadAwsFiles(paths: AwsFilePaths): Promise<AwsFiles> {
  const [config, credentials] = await Promise.all([checkFile(paths.configPath), checkFile(paths.credentialsPath)]);
  const loaded = await loadSharedConfigFiles({
    configFilepath: paths.configPath,
    filepath: paths.credentialsPath,
    // The loader memoises file reads per path; we re-read on every change.
    ignoreCache: true,
  });
  return {
    paths,
    config,
    credentials,
    configSections: config.status === 'ok' ? (loaded.configFile as IniSections) : {},
    credentialsSections: credentials.status === 'ok' ? (loaded.credentialsFile as IniSections) : {},
    configIndex: { sections: [], problems: [] },
    credentialsIndex: { sections: [], problems: [] },
  };
}
