import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import * as path from 'node:path';
import type { AwsCliFacts } from '../config/diagnostics';

/**
 * How an AWS CLI sign-in (`aws sso login`, `aws login`) is started: the executable and its
 * arguments, handed to the terminal's process as they are. No shell reads them, so a profile name
 * holding quotes, `;`, `$(...)` or backticks is one argument in every shell the user may have
 * (fish, PowerShell 5.1, cmd).
 */
export interface CliSignInProcess {
  executable: string;
  args: string[];
}

/** The AWS CLI's name when nothing else is asked for. */
export const AWS_CLI_EXECUTABLE = 'aws';

export function cliSignInProcess(args: readonly string[], executable: string = AWS_CLI_EXECUTABLE): CliSignInProcess {
  return { executable, args: [...args] };
}

/** The command as the user would type it, without its options: `aws sso login`, `aws login`. */
export function cliSignInCommand(args: readonly string[]): string {
  const end = args.findIndex((a) => a.startsWith('-'));
  return ['aws', ...(end < 0 ? args : args.slice(0, end))].join(' ');
}

/**
 * The full path of `executable`, found as a shell would find it, or undefined when there is none.
 * A name with a directory in it is taken as a path. On Windows only `.exe` is accepted for a
 * bare name: the AWS CLI v2 installs `aws.exe`, and a `.cmd`/`.bat` would be run by cmd.exe,
 * which parses its arguments again.
 */
export function resolveExecutable(executable: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string | undefined {
  const p = platform === 'win32' ? path.win32 : path.posix;
  if (executable.includes('/') || (platform === 'win32' && executable.includes('\\'))) {
    return isRunnable(executable, platform) ? p.resolve(executable) : undefined;
  }
  const pathVar = (platform === 'win32' ? Object.entries(env).find(([k]) => k.toUpperCase() === 'PATH')?.[1] : env.PATH) ?? '';
  const names = platform === 'win32' && !/\.exe$/i.test(executable) ? [`${executable}.exe`] : [executable];
  for (const dir of pathVar.split(platform === 'win32' ? ';' : ':')) {
    if (!dir) continue;
    for (const name of names) {
      const candidate = p.join(dir.replace(/^"(.*)"$/, '$1'), name);
      if (isRunnable(candidate, platform)) return candidate;
    }
  }
  return undefined;
}

function isRunnable(file: string, platform: NodeJS.Platform): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    if (platform !== 'win32') accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `aws login` and login_session profiles came with the AWS CLI 2.32.0. */
export const AWS_LOGIN_MIN_CLI_VERSION = '2.32.0';

/** The version in `aws --version` output: `aws-cli/2.32.0 Python/3.13.7 Linux/6.8 exe/x86_64` (v1 prints the same shape). */
export function parseAwsCliVersion(output: string): string | undefined {
  return /\baws-cli\/(\d+\.\d+\.\d+)/.exec(output)?.[1];
}

/** Whether version a.b.c is at least min (numeric, part by part). */
export function isAtLeastVersion(version: string, min: string): boolean {
  const a = version.split('.').map(Number);
  const b = min.split('.').map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return true;
}

/** Runs `<executable> --version` and resolves its output (stdout and stderr: AWS CLI v1 on old Pythons prints to stderr). */
export type RunVersion = (executable: string) => Promise<string>;

const runVersion: RunVersion = (executable) =>
  new Promise((resolve) => {
    // A CLI that hangs (a broken Python, a prompt) must not hold the diagnostic forever.
    execFile(executable, ['--version'], { timeout: 10_000, windowsHide: true }, (_error, stdout, stderr) => resolve(`${stdout}\n${stderr}`));
  });

/**
 * Which AWS CLI is on PATH and whether it can run `aws login`, asked once per executable (its
 * path and modification time, so an upgrade in place is noticed) and never waited for by callers
 * that only `peek()`.
 */
export class AwsCliCheck {
  private readonly results = new Map<string, { facts?: AwsCliFacts; pending: Promise<AwsCliFacts> }>();

  constructor(
    private readonly run: RunVersion = runVersion,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /** The answer for the AWS CLI on PATH now, or undefined while it is being asked (or was never asked). */
  peek(): AwsCliFacts | undefined {
    return this.results.get(this.key().key)?.facts;
  }

  /** Asks the AWS CLI on PATH for its version, unless that executable was asked already. */
  check(): Promise<AwsCliFacts> {
    const { key, executable } = this.key();
    const known = this.results.get(key);
    if (known) return known.pending;
    const entry: { facts?: AwsCliFacts; pending: Promise<AwsCliFacts> } = {
      pending: (executable ? this.run(executable) : Promise.resolve('')).then(
        (output) => {
          const version = parseAwsCliVersion(output);
          const facts: AwsCliFacts = { executable, version, supportsLogin: version !== undefined && isAtLeastVersion(version, AWS_LOGIN_MIN_CLI_VERSION), loginMinVersion: AWS_LOGIN_MIN_CLI_VERSION };
          entry.facts = facts;
          return facts;
        },
      ),
    };
    this.results.set(key, entry);
    return entry.pending;
  }

  private key(): { key: string; executable?: string } {
    const executable = resolveExecutable(AWS_CLI_EXECUTABLE, this.env);
    if (!executable) return { key: '' };
    let mtime = 0;
    try {
      mtime = statSync(executable).mtimeMs;
    } catch {
      // Gone between the two looks: asked again next time.
    }
    return { key: `${executable}\0${mtime}`, executable };
  }
}
