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
 * The active sessions are kept per window, each in its own secret (named after the window key:
 * which remote, which workspace), so a window only ever writes or deletes its own: two windows
 * writing at the same moment cannot undo each other (bring back a dropped session, lose a switch),
 * as they could when one secret held a map that each window read, changed and wrote back.
 */
const WINDOW_ENTRY_VERSION = 3;

/**
 * The previous format: one secret with a map of every window's entry. Read once per window, to
 * carry its own entry over; the old single shared entry (version 1) is never read.
 */
const LEGACY_WINDOWS_VERSION = 2;

/** At most this many windows' sessions are kept (the index's bound); the oldest writes go first. */
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

/** The previous format's map, window key to entry (read only to migrate). */
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

function reviveEntry(raw: unknown): WindowEntry | undefined {
  const e = raw as Record<string, unknown> | undefined;
  const session = reviveSession(e?.session);
  if (!e || !session || !isString(e.writer) || !isString(e.remote)) return undefined;
  return { session, writer: e.writer, remote: e.remote, storedAt: typeof e.storedAt === 'number' ? e.storedAt : 0 };
}

function parseJson(text: string | undefined): Record<string, unknown> | undefined {
  if (!text) return undefined;
  try {
    const data = JSON.parse(text) as unknown;
    return data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** One window's stored session. */
export function serializeWindowEntry(entry: WindowEntry): string {
  return JSON.stringify({ version: WINDOW_ENTRY_VERSION, ...entry });
}

/** A window's entry if well-formed; anything else (another version included) is undefined, never half-used. */
export function parseWindowEntry(text: string | undefined): WindowEntry | undefined {
  const data = parseJson(text);
  return data?.version === WINDOW_ENTRY_VERSION ? reviveEntry(data) : undefined;
}

/** Every well-formed entry of the previous format's map; anything else (the old shared format included) is dropped. */
export function parseLegacyWindowSessions(text: string | undefined): WindowSessions {
  const out: WindowSessions = {};
  const data = parseJson(text);
  if (data?.version !== LEGACY_WINDOWS_VERSION || !data.windows || typeof data.windows !== 'object') return out;
  for (const [key, raw] of Object.entries(data.windows as Record<string, unknown>)) {
    const entry = reviveEntry(raw);
    if (entry) out[key] = entry;
  }
  return out;
}

export function isExpiredEntry(entry: WindowEntry, now: number): boolean {
  return entry.session.expiresAt !== undefined && entry.session.expiresAt <= now;
}

/** What a reload of this window restores from its own entry: only if of this remote and still valid. */
export function restorableEntry(entry: WindowEntry | undefined, remote: string, now: number): WindowEntry | undefined {
  return entry && entry.remote === remote && !isExpiredEntry(entry, now) ? entry : undefined;
}

/** This window's entry in the previous format's map, if restorable. */
export function ownLegacyEntry(entries: WindowSessions, key: string, remote: string, now: number): WindowEntry | undefined {
  return restorableEntry(Object.prototype.hasOwnProperty.call(entries, key) ? entries[key] : undefined, remote, now);
}

/**
 * The freshest session of this profile that another window (any workspace, same remote) stored,
 * valid later than `notBefore`: what a refresh may take instead of calling STS.
 */
export function fresherSharedSession(entries: Iterable<WindowEntry | undefined>, opts: { profileName: string; remote: string; writer: string; now: number; notBefore?: number }): Session | undefined {
  let best: Session | undefined;
  for (const e of entries) {
    if (!e) continue;
    const s = e.session;
    if (e.remote !== opts.remote || e.writer === opts.writer || s.profileName !== opts.profileName || isExpiredEntry(e, opts.now)) continue;
    if (opts.notBefore !== undefined && (s.expiresAt === undefined || s.expiresAt <= opts.notBefore)) continue;
    if (!best || (s.expiresAt ?? Infinity) > (best.expiresAt ?? Infinity)) best = s;
  }
  return best;
}

/**
 * Which windows have a stored session, so a refresh can look at the others' (SecretStorage cannot
 * list its keys before VS Code 1.103, and this extension supports 1.100). No secret: a window
 * key, its remote key and when it last wrote. Each window adds itself when it writes; two windows
 * writing it at once may lose one's line, which costs only a missed look at that window's session
 * until it writes again: what is restored or taken is always read from a window's own secret.
 */
export type WindowIndex = Record<string, { remote: string; storedAt: number }>;

export function serializeWindowIndex(index: WindowIndex): string {
  return JSON.stringify({ version: WINDOW_ENTRY_VERSION, windows: index });
}

export function parseWindowIndex(text: string | undefined): WindowIndex {
  const out: WindowIndex = {};
  const data = parseJson(text);
  if (data?.version !== WINDOW_ENTRY_VERSION || !data.windows || typeof data.windows !== 'object') return out;
  for (const [key, raw] of Object.entries(data.windows as Record<string, unknown>)) {
    const e = raw as Record<string, unknown> | undefined;
    if (e && isString(e.remote) && typeof e.storedAt === 'number') out[key] = { remote: e.remote, storedAt: e.storedAt };
  }
  return out;
}

/** The index with this window's line set, and at most MAX_WINDOW_ENTRIES lines: `evicted` are the oldest writes beyond that. */
export function indexWith(index: WindowIndex, key: string, line: WindowIndex[string]): { index: WindowIndex; evicted: string[] } {
  const lines = Object.entries({ ...index, [key]: line }).sort((a, b) => b[1].storedAt - a[1].storedAt);
  return { index: Object.fromEntries(lines.slice(0, MAX_WINDOW_ENTRIES)), evicted: lines.slice(MAX_WINDOW_ENTRIES).map(([k]) => k) };
}

export function indexWithout(index: WindowIndex, keys: readonly string[]): WindowIndex {
  return Object.fromEntries(Object.entries(index).filter(([k]) => !keys.includes(k)));
}

/**
 * The MFA sessions, shared by every window: each window writes the whole list it holds, so a
 * window that has not yet heard of a sign-out can write back sessions the sign-out forgot. That
 * is why the sign-out's time is also kept in a secret of its own (`serializeMfaSignOut`), which
 * only a sign-out writes, and a session obtained before it is never taken from either.
 * `clearedAt` stays in the list for the versions that read it there.
 */
export function serializeMfaSessions(sessions: readonly MfaSession[], clearedAt?: number): string {
  return JSON.stringify({ version: VERSION, sessions, clearedAt });
}

function finiteNumber(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function parseMfaClearedAt(text: string | undefined): number | undefined {
  const data = parseJson(text);
  return data?.version === VERSION ? finiteNumber(data.clearedAt) : undefined;
}

export function parseMfaSessions(text: string | undefined): MfaSession[] {
  const data = parseJson(text);
  if (data?.version !== VERSION || !Array.isArray(data.sessions)) return [];
  const out: MfaSession[] = [];
  for (const raw of data.sessions as unknown[]) {
    const s = raw as Record<string, unknown> | null;
    if (!s || typeof s !== 'object') continue;
    const credentials = reviveCredentials(s.credentials);
    if (!credentials || !isString(s.key) || !isString(s.sourceProfile) || !isString(s.mfaSerial) || typeof s.expiresAt !== 'number') continue;
    const obtainedAt = finiteNumber(s.obtainedAt);
    out.push({ key: s.key, sourceProfile: s.sourceProfile, mfaSerial: s.mfaSerial, credentials, expiresAt: s.expiresAt, ...(obtainedAt !== undefined ? { obtainedAt } : {}) });
  }
  return out;
}

/** When AWS: Sign Out last forgot every MFA session (ms since the epoch). */
export function serializeMfaSignOut(signedOutAt: number): string {
  return JSON.stringify({ version: VERSION, signedOutAt });
}

export function parseMfaSignOut(text: string | undefined): number | undefined {
  const data = parseJson(text);
  return data?.version === VERSION ? finiteNumber(data.signedOutAt) : undefined;
}

/** The later of two sign-out times, either possibly unknown. */
export function laterSignOut(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.max(a, b);
}
