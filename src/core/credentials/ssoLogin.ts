import { accessSync, constants, statSync } from 'node:fs';
import * as path from 'node:path';

/**
 * How `aws sso login` is started: the executable and its arguments, handed to the terminal's
 * process as they are. No shell reads them, so a profile name holding quotes, `;`, `$(...)` or
 * backticks is one argument in every shell the user may have (fish, PowerShell 5.1, cmd).
 */
export interface SsoLoginProcess {
  executable: string;
  args: string[];
}

/** The AWS CLI's name when nothing else is asked for. */
export const AWS_CLI_EXECUTABLE = 'aws';

export function ssoLoginProcess(args: readonly string[], executable: string = AWS_CLI_EXECUTABLE): SsoLoginProcess {
  return { executable, args: [...args] };
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
