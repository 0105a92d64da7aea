// Small fakes shared by the core unit tests: a manual clock, a recording STS, temp AWS files.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadAwsFiles } from '../../src/core/config/sharedFiles';
import type { Clock, TimerHandle } from '../../src/core/clock';
import { buildProfileSet, type ProfileSet } from '../../src/core/config/profiles';
import { StsCallError } from '../../src/core/errors';
import type { AssumeRoleRequest, AssumeRoleResult, AwsCredentials, CallerIdentity, SessionTokenRequest, StsApi, StsCallOptions } from '../../src/core/credentials/stsApi';

/** A clock that only moves when told to; advance() runs every timer that falls due, in order. */
export class FakeClock implements Clock {
  private nextId = 1;
  private readonly timers = new Map<number, { due: number; callback: () => void }>();

  constructor(private current = Date.UTC(2025, 0, 15, 12, 0, 0)) {}

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { due: this.current + Math.max(0, ms), callback });
    return { id };
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle.id as number);
  }

  get pendingTimers(): number {
    return this.timers.size;
  }

  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      let nextId: number | undefined;
      let nextDue = Infinity;
      for (const [id, t] of this.timers) {
        if (t.due <= target && t.due < nextDue) {
          nextDue = t.due;
          nextId = id;
        }
      }
      if (nextId === undefined) break;
      const timer = this.timers.get(nextId)!;
      this.timers.delete(nextId);
      this.current = timer.due;
      timer.callback();
    }
    this.current = target;
  }
}

export interface StsCall {
  op: 'AssumeRole' | 'GetCallerIdentity' | 'GetSessionToken';
  options: StsCallOptions;
  request?: AssumeRoleRequest;
}

/**
 * Records every call. AssumeRole answers with credentials numbered by call
 * (ASIAFAKE0001...) that expire DurationSeconds after the clock's now, unless a
 * failure was registered for that role ARN.
 */
export class FakeStsApi implements StsApi {
  readonly calls: StsCall[] = [];
  readonly failures = new Map<string, Error>();
  identity: CallerIdentity = { arn: 'arn:aws:iam::111111111111:user/alice', account: '111111111111', userId: 'AIDAALICE' };
  identityFailure: Error | undefined;

  constructor(private readonly clock: Clock) {}

  failRole(roleArn: string, error: Error): this {
    this.failures.set(roleArn, error);
    return this;
  }

  async assumeRole(options: StsCallOptions, request: AssumeRoleRequest): Promise<AssumeRoleResult> {
    this.calls.push({ op: 'AssumeRole', options, request: { ...request } });
    const failure = this.failures.get(request.RoleArn);
    if (failure) throw failure;
    const n = String(this.calls.length).padStart(4, '0');
    const match = /^arn:([^:]+):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(request.RoleArn);
    const [, partition, account, roleName] = match ?? ['', 'aws', '000000000000', 'Unknown'];
    return {
      credentials: {
        accessKeyId: `ASIAFAKE${n}`,
        secretAccessKey: `secret-${n}`,
        sessionToken: `token-${n}`,
        expiration: new Date(this.clock.now() + (request.DurationSeconds ?? 3600) * 1000),
      },
      assumedRoleArn: `arn:${partition}:sts::${account}:assumed-role/${roleName}/${request.RoleSessionName}`,
    };
  }

  async getSessionToken(options: StsCallOptions, request: SessionTokenRequest): Promise<{ credentials: AwsCredentials & { expiration: Date } }> {
    this.calls.push({ op: 'GetSessionToken', options, request: { RoleArn: '', RoleSessionName: '', ...request } });
    const n = String(this.calls.length).padStart(4, '0');
    return { credentials: { accessKeyId: `ASIAMFA${n}`, secretAccessKey: `mfa-secret-${n}`, sessionToken: `mfa-token-${n}`, expiration: new Date(this.clock.now() + (request.DurationSeconds ?? 43200) * 1000) } };
  }

  async getCallerIdentity(options: StsCallOptions): Promise<CallerIdentity> {
    this.calls.push({ op: 'GetCallerIdentity', options });
    if (this.identityFailure) throw this.identityFailure;
    return this.identity;
  }

  credentialsUsed(index: number): AwsCredentials {
    return this.calls[index].options.credentials;
  }
}

export function stsError(code: string, message: string, status?: number): StsCallError {
  return new StsCallError(code, message, 'https://sts.eu-west-1.amazonaws.com', status);
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A fresh temp directory; remove with removeTempDir. */
export async function makeTempDir(prefix = 'core-unit-'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function removeTempDir(dir: string): Promise<void> {
  await fs.rm(dir, { recursive: true, force: true });
}

/** Strips the common indentation of a template literal so INI files can be written inline. */
export function ini(text: string): string {
  // The indentation of section headers is the margin; deeper lines keep the rest
  // (sub-sections like `sts =`), lines pasted in with less are left as they are.
  const lines = text.replace(/^\n/, '').split('\n');
  const headers = lines.filter((l) => /^\s*\[/.test(l));
  const margin = Math.min(...(headers.length ? headers : lines.filter((l) => l.trim())).map((l) => /^ */.exec(l)![0].length));
  const strip = new RegExp(`^ {0,${Number.isFinite(margin) ? margin : 0}}`);
  return lines.map((l) => l.replace(strip, '')).join('\n');
}

/**
 * Writes `config` and (when given) `credentials` into dir and builds the profile set
 * through the real reader, the way the extension does.
 */
export async function profileSetFrom(dir: string, config: string | undefined, credentials?: string): Promise<ProfileSet> {
  const paths = { configPath: path.join(dir, 'config'), credentialsPath: path.join(dir, 'credentials') };
  await fs.rm(paths.configPath, { force: true });
  await fs.rm(paths.credentialsPath, { force: true });
  if (config !== undefined) await fs.writeFile(paths.configPath, ini(config));
  if (credentials !== undefined) await fs.writeFile(paths.credentialsPath, ini(credentials));
  return buildProfileSet(await loadAwsFiles(paths));
}
