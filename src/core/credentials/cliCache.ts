import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomically, type AtomicFs } from '../config/atomicWrite';
import type { AssumeRoleRequest, AwsCredentials } from './stsApi';

/**
 * The AWS CLI's cache of assumed-role credentials (~/.aws/cli/cache), read so a role the CLI
 * already assumed costs no STS call and no MFA code, and written (when the user allows it) so
 * the CLI can reuse ours. File names and contents follow botocore's AssumeRoleCredentialFetcher
 * and JSONFileCache.
 */

/** botocore refreshes cached credentials with less than this left (CachedCredentialFetcher). */
export const CLI_CACHE_EXPIRY_WINDOW_MS = 15 * 60_000;

export function cliCacheDir(home = os.homedir()): string {
  return path.join(home, '.aws', 'cli', 'cache');
}

/** Python's json.dumps for a string with ensure_ascii: everything outside space..~ as \uXXXX. */
export function pyString(value: string): string {
  return JSON.stringify(value).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The cache key botocore computes: sha1 of json.dumps(args, sort_keys=True) with Python's
 * default separators, where args are the AssumeRole arguments from the profile: RoleArn, and
 * RoleSessionName only when the profile sets it (the CLI's default name is random), ExternalId,
 * SerialNumber, DurationSeconds when present. The one-time code is never part of it.
 */
export function cliCacheKey(request: AssumeRoleRequest, sessionNameFromProfile: boolean): string {
  const args: Record<string, string | number> = { RoleArn: request.RoleArn };
  if (sessionNameFromProfile) args.RoleSessionName = request.RoleSessionName;
  if (request.ExternalId !== undefined) args.ExternalId = request.ExternalId;
  if (request.SerialNumber !== undefined) args.SerialNumber = request.SerialNumber;
  if (request.DurationSeconds !== undefined) args.DurationSeconds = request.DurationSeconds;
  const json = `{${Object.keys(args)
    .sort()
    .map((k) => `${pyString(k)}: ${typeof args[k] === 'number' ? String(args[k]) : pyString(args[k] as string)}`)
    .join(', ')}}`;
  return createHash('sha1').update(json, 'utf8').digest('hex');
}

export interface CachedRole {
  credentials: AwsCredentials & { expiration: Date };
  assumedRoleArn: string;
}

/** botocore writes datetimes with strftime('%Y-%m-%dT%H:%M:%S%Z'), i.e. "...T12:00:00UTC"; newer ones ISO. */
function parseExpiration(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const date = new Date(value.replace(/UTC$/, 'Z'));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** A usable cache entry (more than 15 minutes left), or undefined for a missing, broken or stale one. */
export async function readCliCache(key: string, now: number, dir = cliCacheDir()): Promise<CachedRole | undefined> {
  let text: string;
  try {
    text = await fs.readFile(path.join(dir, `${key}.json`), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const data = JSON.parse(text) as { Credentials?: Record<string, unknown>; AssumedRoleUser?: { Arn?: unknown } };
    const c = data.Credentials ?? {};
    const expiration = parseExpiration(c.Expiration);
    const arn = data.AssumedRoleUser?.Arn;
    if (typeof c.AccessKeyId !== 'string' || typeof c.SecretAccessKey !== 'string' || typeof c.SessionToken !== 'string' || !expiration || typeof arn !== 'string') return undefined;
    if (expiration.getTime() - now <= CLI_CACHE_EXPIRY_WINDOW_MS) return undefined;
    return { credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration }, assumedRoleArn: arn };
  } catch {
    return undefined;
  }
}

/**
 * Writes an entry as botocore's JSONFileCache does: mode 600, a temp file renamed over the target
 * (the shared atomic write: fsynced, no temp file left on a failure). The last writer wins, as
 * between two CLI processes, so there is no check for a concurrent change.
 */
export async function writeCliCache(key: string, role: CachedRole & { assumedRoleId?: string }, dir = cliCacheDir(), io?: AtomicFs): Promise<void> {
  const c = role.credentials;
  const body = {
    Credentials: {
      AccessKeyId: c.accessKeyId,
      SecretAccessKey: c.secretAccessKey,
      SessionToken: c.sessionToken,
      Expiration: c.expiration.toISOString().replace(/\.\d{3}Z$/, 'UTC'),
    },
    AssumedRoleUser: { AssumedRoleId: role.assumedRoleId ?? '', Arn: role.assumedRoleArn },
  };
  // JSON escapes every control character, so no value can break out of its string.
  await writeFileAtomically(path.join(dir, `${key}.json`), JSON.stringify(body), { mode: 0o600, fs: io });
}
