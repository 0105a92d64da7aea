import { promises as nodeFs } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { RoleSwitchError } from '../errors';

/**
 * The one way this extension replaces a file the user owns (~/.aws/config, the AWS CLI's cache):
 * a temp file next to the real target, fsynced, renamed over it. Shared by config/configEdits and
 * credentials/cliCache.
 */

/** The part of an open file the write uses; an injected AtomicFs returns its own (tests simulate a full disk with it). */
export interface AtomicFileHandle {
  writeFile(data: string, encoding: 'utf8'): Promise<void>;
  chmod(mode: number): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** The file operations the write uses: node's fs.promises, or a stand-in in tests. */
export interface AtomicFs {
  lstat(file: string): Promise<{ isSymbolicLink(): boolean }>;
  readlink(file: string): Promise<string>;
  stat(file: string): Promise<{ mode: number }>;
  mkdir(dir: string, options: { recursive: true; mode: number }): Promise<unknown>;
  open(file: string, flags: string, mode?: number): Promise<AtomicFileHandle>;
  readFile(file: string, encoding: 'utf8'): Promise<string>;
  rename(from: string, to: string): Promise<void>;
  rm(file: string, options: { force: true }): Promise<void>;
}

export interface AtomicWriteOptions {
  /**
   * What the caller read before computing `text`: the file's text, or null when it did not exist.
   * Just before the rename the file is read again, and the write is refused when it differs, so an
   * edit made in between (in an editor, by `aws configure`) is never lost. Omitted: no check (a
   * cache entry, where the last writer wins).
   */
  expected?: string | null;
  /** The new file's mode, always. Omitted: the existing file keeps its mode, a new one gets 600. */
  mode?: number;
  /** Names the file in the "changed while" message, e.g. "The AWS config file". */
  what?: string;
  fs?: AtomicFs;
}

const MAX_LINKS = 40;

function isNotFound(e: unknown): boolean {
  return (e as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/**
 * The file a path finally names, following symlinks (also dangling ones, so a dotfiles link to a
 * file not created yet gets created at its target). The link itself is never replaced.
 */
export async function resolveWriteTarget(file: string, fs: AtomicFs = nodeFs as unknown as AtomicFs): Promise<string> {
  let current = path.resolve(file);
  for (let i = 0; i < MAX_LINKS; i++) {
    let isLink: boolean;
    try {
      isLink = (await fs.lstat(current)).isSymbolicLink();
    } catch (e) {
      if (isNotFound(e)) return current;
      throw e;
    }
    if (!isLink) return current;
    current = path.resolve(path.dirname(current), await fs.readlink(current));
  }
  throw new RoleSwitchError(`${file} is a chain of more than ${MAX_LINKS} symbolic links; nothing was written.`, 'ConfigRefused');
}

async function readOrNull(fs: AtomicFs, file: string): Promise<string | null> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (e) {
    if (isNotFound(e)) return null;
    throw e;
  }
}

/** The directory's entry for the rename on disk too; not every platform can open a directory (Windows), so best effort. */
async function syncDirectory(fs: AtomicFs, dir: string): Promise<void> {
  let handle: AtomicFileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    // EISDIR/EPERM/EINVAL where directories cannot be opened or synced: the rename itself is done.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/**
 * Replaces `file` with `text` so that a reader sees the old file or the new one, never half of one:
 * the temp file is written next to the real target (through any symlink, which stays a link),
 * fsynced, checked against `expected`, and renamed over the target. On any failure (a full disk,
 * a concurrent change, a failed rename) the temp file is removed and the target is untouched.
 */
export async function writeFileAtomically(file: string, text: string, options: AtomicWriteOptions = {}): Promise<void> {
  const fs = options.fs ?? (nodeFs as unknown as AtomicFs);
  const target = await resolveWriteTarget(file, fs);
  const dir = path.dirname(target);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const mode = options.mode ?? (await fs.stat(target).then((s) => s.mode & 0o777, () => 0o600));
  const temp = path.join(dir, `${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  // 'wx': the name is new, so nothing else's file is ever opened (or removed below).
  const handle = await fs.open(temp, 'wx', mode);
  let open = true;
  try {
    await handle.chmod(mode); // open's mode passes through the umask; the target's mode must not
    await handle.writeFile(text, 'utf8');
    await handle.sync();
    open = false;
    await handle.close();
    if (options.expected !== undefined) {
      // As late as it can be: an edit after this line and before the rename still wins the race, but
      // that window is microseconds, not the seconds between the caller's read and this write.
      const now = await readOrNull(fs, target);
      if (now !== options.expected) {
        const what = options.what ?? target;
        throw new RoleSwitchError(`${what} (${target}) changed while it was being updated; nothing was written. Try again.`, 'FileChanged');
      }
    }
    await fs.rename(temp, target);
  } catch (e) {
    if (open) await handle.close().catch(() => undefined);
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw e;
  }
  await syncDirectory(fs, dir);
}
