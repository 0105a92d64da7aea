import * as os from 'node:os';

// STS RoleSessionName: 2..64 characters of [\w+=,.@-].
// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
const MAX = 64;

/** Replaces what STS refuses with '-', trims to 64, and pads names that are too short. */
export function sanitizeSessionName(raw: string): string {
  let name = raw.replace(/[^\w+=,.@-]/g, '-').replace(/-{2,}/g, '-').replace(/^-+|-+$/g, '');
  if (name.length > MAX) name = name.slice(0, MAX);
  if (name.length < 2) name = `${name || 'vscode'}-session`.slice(0, MAX);
  return name;
}

/**
 * The default session name: the OS user plus `-vscode`, so CloudTrail shows who
 * switched and from where (the AWS CLI's default, botocore-session-<time>, says neither).
 */
export function defaultSessionName(userName?: string): string {
  let user = userName;
  if (user === undefined) {
    try {
      user = os.userInfo().username;
    } catch {
      user = process.env.USER ?? process.env.USERNAME ?? '';
    }
  }
  return sanitizeSessionName(`${user || 'user'}-vscode`);
}
