import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomically, type AtomicFs } from '../../config/atomicWrite';
import { RoleSwitchError } from '../../errors';
import { pyString } from '../cliCache';
import type { TokenResult } from './ssoApi';

/**
 * The IAM Identity Center token file shared with the AWS CLI, botocore and every SDK:
 * ~/.aws/sso/cache/<sha1 of the sso-session name>.json (legacy profiles: sha1 of the start URL),
 * written as botocore's SSOTokenProvider and the CLI's `aws sso login` write it, so that either
 * side can sign in and either side can refresh.
 */

/** A token file's contents. Timestamps are ms since the epoch, whole seconds (the file has no more). */
export interface SsoToken {
  /** The configured start URL (never a custom domain's redirect target); old files may lack it. */
  startUrl?: string;
  region?: string;
  /** A secret. */
  accessToken: string;
  expiresAt: number;
  clientId?: string;
  /** A secret. */
  clientSecret?: string;
  registrationExpiresAt?: number;
  /** A secret; absent on legacy tokens (no `sso:account:access` scope). */
  refreshToken?: string;
}

/** Where botocore keeps the tokens: no environment variable moves it, only the home directory. */
export function ssoCacheDir(home = os.homedir()): string {
  return path.join(home, '.aws', 'sso', 'cache');
}

/** botocore's SSOTokenLoader key: sha1 of the sso-session name, or of the start URL when there is none. */
export function tokenCacheKey(session: { name?: string; startUrl: string }): string {
  return createHash('sha1')
    .update(session.name ?? session.startUrl, 'utf8')
    .digest('hex');
}

export function tokenFilePath(session: { name?: string; startUrl: string }, dir = ssoCacheDir()): string {
  return path.join(dir, `${tokenCacheKey(session)}.json`);
}

/** strftime('%Y-%m-%dT%H:%M:%SZ') of a UTC datetime, as botocore's _sso_json_dumps writes it. */
export function formatSsoTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// What dateutil.parser.parse (botocore's reader) meets in these files: `Z`, `UTC`/`GMT` (older
// botocore's %Z), `+00:00`/`+0000` offsets, fractional seconds (the JS SDK and the Toolkit write
// toISOString()), a space for the `T`. A time with no zone is taken as UTC, as every writer means it.
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})?$/i;

/** A timestamp from a token file as ms since the epoch, or undefined when it is not one. */
export function parseSsoTimestamp(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = TIMESTAMP.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0);
  const offset = zone && /^[+-]/.test(zone) ? /^([+-])(\d{2}):?(\d{2})$/.exec(zone) : null;
  if (offset) ms -= (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3])) * 60_000;
  return Number.isNaN(ms) ? undefined : ms;
}

/** The file's text: json.dumps with Python's separators and key order, as the CLI writes it. */
export function serializeToken(token: SsoToken): string {
  const fields: [string, string | undefined][] = [
    ['startUrl', token.startUrl],
    ['region', token.region],
    ['accessToken', token.accessToken],
    ['expiresAt', formatSsoTimestamp(token.expiresAt)],
    ['clientId', token.clientId],
    ['clientSecret', token.clientSecret],
    ['registrationExpiresAt', token.registrationExpiresAt !== undefined ? formatSsoTimestamp(token.registrationExpiresAt) : undefined],
    ['refreshToken', token.refreshToken],
  ];
  return `{${fields
    .filter((f): f is [string, string] => f[1] !== undefined)
    .map(([k, v]) => `${pyString(k)}: ${pyString(v)}`)
    .join(', ')}}`;
}

/** A token file's text as a token, or undefined when it lacks what botocore requires (accessToken, expiresAt). */
export function parseToken(text: string): SsoToken | undefined {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (!data || typeof data !== 'object') return undefined;
  const expiresAt = parseSsoTimestamp(data.expiresAt);
  if (typeof data.accessToken !== 'string' || !data.accessToken || expiresAt === undefined) return undefined;
  const nonEmpty = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  return {
    startUrl: nonEmpty(data.startUrl),
    region: nonEmpty(data.region),
    accessToken: data.accessToken,
    expiresAt,
    clientId: nonEmpty(data.clientId),
    clientSecret: nonEmpty(data.clientSecret),
    registrationExpiresAt: parseSsoTimestamp(data.registrationExpiresAt),
    refreshToken: nonEmpty(data.refreshToken),
  };
}

/** The token in `file`; undefined when there is none or it is unusable (botocore: "Token for X does not exist / is invalid"). */
export async function readToken(file: string): Promise<SsoToken | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new RoleSwitchError(`Could not read the IAM Identity Center token file ${file} (${code ?? 'error'}). Check its permissions.`, 'NoCredentials');
  }
  return parseToken(text);
}

/** Replaces the token file: mode 600, a temp file renamed over it, the temp file removed on any failure. */
export async function writeToken(file: string, token: SsoToken, io?: AtomicFs): Promise<void> {
  await writeFileAtomically(file, serializeToken(token), { mode: 0o600, fs: io });
}

/** Removes the token file; false when there was none. */
export async function deleteToken(file: string): Promise<boolean> {
  try {
    await fs.unlink(file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

/**
 * The token a CreateToken answer makes, as botocore builds it: the configured start URL and region,
 * expiry = now + expiresIn, the registration alongside, and the refresh token (the previous one
 * kept when the answer brings none, so a refresh never loses the way to refresh again).
 */
export function tokenFromResult(
  session: { startUrl: string; region: string },
  result: TokenResult,
  registration: { clientId: string; clientSecret: string; expiresAt: number },
  now: number,
  previousRefreshToken?: string,
): SsoToken {
  return {
    startUrl: session.startUrl,
    region: session.region,
    accessToken: result.accessToken,
    // The file holds whole seconds; the token in memory says what the file says.
    expiresAt: Math.floor((now + result.expiresIn * 1000) / 1000) * 1000,
    clientId: registration.clientId,
    clientSecret: registration.clientSecret,
    registrationExpiresAt: Math.floor(registration.expiresAt / 1000) * 1000,
    refreshToken: result.refreshToken ?? previousRefreshToken,
  };
}
