import { createHash } from 'node:crypto';
import type { MfaSession } from '../credentials/mfaSessions';
import type { Session } from './session';

/**
 * Sessions as stored in the editor's secret storage (the OS keychain), so a reload or a
 * second window picks up the active role and the MFA sessions without a new prompt.
 * Parsing is defensive: anything malformed is dropped, never half-used.
 */
const VERSION = 1;

/**
 * The active sessions are kept per window: one secret holds a map from a window key (which remote,
 * which workspace) to the session that window holds. A window restores only its own entry, and a
 * drop removes only its own, so a reload never comes back as another window's role. The version
 * differs from the old single shared entry, which is ignored: it is never restored into a window.
 */
const WINDOWS_VERSION = 2;

/** At most this many windows' sessions are kept; the oldest writes go first. */
export const MAX_WINDOW_ENTRIES = 32;

/** What identifies a window across reloads: where it runs and what it has open. Plain values from `vscode.env` and `vscode.workspace`. */
export interface WindowIdentity {
  /** `vscode.env.remoteName` (`ssh-remote`, `dev-container`, `wsl`, ...), undefined on the local machine. */
  remoteName?: string;
  /** The remote authority (from a `vscode-remote` URI of the workspace), when known. */
  remoteAuthority?: string;
  /** The `.code-workspace` file, as a URI string, if one is open. */
  workspaceFile?: string;
  /** The workspace folders, as URI strings. */
  folders?: readonly string[];
}

function hash(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
}

/** Which remote a window runs on; entries of other remotes are never restored, adopted or peeked. */
export function remoteKey(id: WindowIdentity): string {
  return hash(['remote', id.remoteName ?? '', id.remoteAuthority ?? '']);
}

/**
 * The key of a window's stored session: the same for a reload of the same workspace (folder order
 * does not matter), different for another workspace or another remote. An empty window has one
 * fixed key per remote. Hashed, so no path appears in the stored text.
 */
export function windowKey(id: WindowIdentity): string {
  const what = id.workspaceFile ? ['file', id.workspaceFile] : id.folders && id.folders.length > 0 ? ['folders', [...id.folders].sort()] : ['empty'];
  return hash(['window', id.remoteName ?? '', id.remoteAuthority ?? '', what]);
}

export interface WindowEntry {
  session: Session;
  /** Which window (activation) wrote it, so a window ignores its own writes. */
  writer: string;
  /** `remoteKey` of the window that wrote it. */
  remote: string;
  /** When it was written (ms since the epoch), to keep the newest when there are too many. */
  storedAt: number;
}

export type WindowSessions = Record<string, WindowEntry>;

function isString(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0;
}

function reviveCredentials(raw: unknown): Session['credentials'] | undefined {
  const c = raw as Record<string, unknown> | undefined;
  if (!c || !isString(c.accessKeyId) || !isString(c.secretAccessKey)) return undefined;
  const expiration = isString(c.expiration) ? new Date(c.expiration) : undefined;
  return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: isString(c.sessionToken) ? c.sessionToken : undefined, expiration: expiration && !Number.isNaN(expiration.getTime()) ? expiration : undefined };
}

function reviveSession(raw: unknown): Session | undefined {
  const s = raw as Record<string, unknown> | undefined;
  if (!s || typeof s !== 'object') return undefined;
  const credentials = reviveCredentials(s.credentials);
  if (!credentials || !isString(s.profileName) || !isString(s.arn) || !isString(s.region) || typeof s.accountId !== 'string') return undefined;
  return { ...(s as unknown as Session), credentials, chain: Array.isArray(s.chain) ? (s.chain as string[]) : [s.profileName] };
}

/** Every well-formed entry; anything else (the old shared format included) is dropped. */
export function parseWindowSessions(text: string | undefined): WindowSessions {
  const out: WindowSessions = {};
  if (!text) return out;
  try {
    const data = JSON.parse(text) as { version?: unknown; windows?: unknown };
    if (data.version !== WINDOWS_VERSION || !data.windows || typeof data.windows !== 'object') return out;
    for (const [key, raw] of Object.entries(data.windows as Record<string, unknown>)) {
      const e = raw as Record<string, unknown> | undefined;
      const session = reviveSession(e?.session);
      if (!e || !session || !isString(e.writer) || !isString(e.remote)) continue;
      out[key] = { session, writer: e.writer, remote: e.remote, storedAt: typeof e.storedAt === 'number' ? e.storedAt : 0 };
    }
  } catch {
    return {};
  }
  return out;
}

export function serializeWindowSessions(entries: WindowSessions): string {
  return JSON.stringify({ version: WINDOWS_VERSION, windows: entries });
}

function isExpired(session: Session, now: number): boolean {
  return session.expiresAt !== undefined && session.expiresAt <= now;
}

/** Without expired entries, and at most MAX_WINDOW_ENTRIES (the newest writes). */
export function pruneWindowSessions(entries: WindowSessions, now: number): WindowSessions {
  const live = Object.entries(entries).filter(([, e]) => !isExpired(e.session, now));
  live.sort((a, b) => b[1].storedAt - a[1].storedAt);
  return Object.fromEntries(live.slice(0, MAX_WINDOW_ENTRIES));
}

/** The map with this window's entry set (and expired entries pruned). */
export function putWindowSession(entries: WindowSessions, key: string, entry: WindowEntry, now: number): WindowSessions {
  return pruneWindowSessions({ ...entries, [key]: entry }, now);
}

/** The map without this window's entry (and expired entries pruned); other windows' entries stay. */
export function removeWindowSession(entries: WindowSessions, key: string, now: number): WindowSessions {
  const rest = { ...entries };
  delete rest[key];
  return pruneWindowSessions(rest, now);
}

/** What a reload of this window restores: its own entry only, if still valid and of this remote. */
export function ownWindowSession(entries: WindowSessions, key: string, remote: string, now: number): WindowEntry | undefined {
  const own = Object.prototype.hasOwnProperty.call(entries, key) ? entries[key] : undefined;
  return own && own.remote === remote && !isExpired(own.session, now) ? own : undefined;
}

/**
 * The freshest session of this profile that another window (any workspace, same remote) stored,
 * valid later than `notBefore`: what a refresh may take instead of calling STS.
 */
export function fresherSharedSession(entries: WindowSessions, opts: { profileName: string; remote: string; writer: string; now: number; notBefore?: number }): Session | undefined {
  let best: Session | undefined;
  for (const e of Object.values(entries)) {
    const s = e.session;
    if (e.remote !== opts.remote || e.writer === opts.writer || s.profileName !== opts.profileName || isExpired(s, opts.now)) continue;
    if (opts.notBefore !== undefined && (s.expiresAt === undefined || s.expiresAt <= opts.notBefore)) continue;
    if (!best || (s.expiresAt ?? Infinity) > (best.expiresAt ?? Infinity)) best = s;
  }
  return best;
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
