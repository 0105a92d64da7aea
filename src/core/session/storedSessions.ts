import type { MfaSession } from '../credentials/mfaSessions';
import type { Session } from './session';

/**
 * Sessions as stored in the editor's secret storage (the OS keychain), so a reload or a
 * second window picks up the active role and the MFA sessions without a new prompt.
 * Parsing is defensive: anything malformed is dropped, never half-used.
 */
const VERSION = 1;

interface StoredSessions {
  version: number;
  active?: Session & { credentials: { expiration?: string } };
  /** Which window wrote it, so a window ignores its own writes. */
  writer: string;
}

export function serializeActive(session: Session | undefined, writer: string): string {
  return JSON.stringify({ version: VERSION, active: session, writer });
}

function isString(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0;
}

function reviveCredentials(raw: unknown): Session['credentials'] | undefined {
  const c = raw as Record<string, unknown> | undefined;
  if (!c || !isString(c.accessKeyId) || !isString(c.secretAccessKey)) return undefined;
  const expiration = isString(c.expiration) ? new Date(c.expiration) : undefined;
  return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: isString(c.sessionToken) ? c.sessionToken : undefined, expiration: expiration && !Number.isNaN(expiration.getTime()) ? expiration : undefined };
}

export function parseActive(text: string | undefined): { session?: Session; writer?: string } {
  if (!text) return {};
  try {
    const data = JSON.parse(text) as StoredSessions;
    if (data.version !== VERSION) return {};
    const s = data.active as unknown as Record<string, unknown> | undefined;
    const credentials = reviveCredentials(s?.credentials);
    if (!s || !credentials || !isString(s.profileName) || !isString(s.arn) || !isString(s.region) || typeof s.accountId !== 'string') return { writer: data.writer };
    const session = { ...(s as unknown as Session), credentials, chain: Array.isArray(s.chain) ? (s.chain as string[]) : [s.profileName] };
    return { session, writer: data.writer };
  } catch {
    return {};
  }
}

/** The MFA sessions, and when AWS: Sign Out last forgot them all (so every window forgets its own too). */
export function serializeMfaSessions(sessions: readonly MfaSession[], clearedAt?: number): string {
  return JSON.stringify({ version: VERSION, sessions, clearedAt });
}

export function parseMfaClearedAt(text: string | undefined): number | undefined {
  try {
    const data = text ? (JSON.parse(text) as { version?: number; clearedAt?: unknown }) : undefined;
    return data?.version === VERSION && typeof data.clearedAt === 'number' && Number.isFinite(data.clearedAt) ? data.clearedAt : undefined;
  } catch {
    return undefined;
  }
}

export function parseMfaSessions(text: string | undefined): MfaSession[] {
  if (!text) return [];
  try {
    const data = JSON.parse(text) as { version?: number; sessions?: unknown[] };
    if (data.version !== VERSION || !Array.isArray(data.sessions)) return [];
    const out: MfaSession[] = [];
    for (const raw of data.sessions) {
      const s = raw as Record<string, unknown>;
      const credentials = reviveCredentials(s.credentials);
      if (!credentials || !isString(s.key) || !isString(s.sourceProfile) || !isString(s.mfaSerial) || typeof s.expiresAt !== 'number') continue;
      out.push({ key: s.key, sourceProfile: s.sourceProfile, mfaSerial: s.mfaSerial, credentials, expiresAt: s.expiresAt });
    }
    return out;
  } catch {
    return [];
  }
}
