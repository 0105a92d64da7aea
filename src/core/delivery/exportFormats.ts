import type { Session } from '../session/session';

/**
 * The credentials of a session as text to paste elsewhere, with the variable set and layout of
 * `aws configure export-credentials` (AWS CLI v2): the access key, secret, session token when
 * there is one, and AWS_CREDENTIAL_EXPIRATION when the credentials expire.
 */
export type ExportFormat = 'bash' | 'fish' | 'powershell' | 'cmd' | 'dotenv' | 'process';

export const EXPORT_FORMATS: readonly { id: ExportFormat; label: string; description: string; cliFormat?: string }[] = [
  { id: 'bash', label: 'bash / zsh', description: 'export AWS_ACCESS_KEY_ID=…', cliFormat: 'env' },
  { id: 'fish', label: 'fish', description: 'set -x AWS_ACCESS_KEY_ID …' },
  { id: 'powershell', label: 'PowerShell', description: '$Env:AWS_ACCESS_KEY_ID="…"', cliFormat: 'powershell' },
  { id: 'cmd', label: 'Windows cmd', description: 'set AWS_ACCESS_KEY_ID=…', cliFormat: 'windows-cmd' },
  { id: 'dotenv', label: '.env file', description: 'AWS_ACCESS_KEY_ID=…', cliFormat: 'env-no-export' },
  { id: 'process', label: 'credential_process JSON', description: '{ "Version": 1, … }', cliFormat: 'process' },
];

/** The CLI prints expirations as Python's isoformat of a UTC datetime: 2026-12-01T16:00:00+00:00. */
function cliTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

function variables(session: Session): [string, string][] {
  const c = session.credentials;
  const vars: [string, string][] = [
    ['AWS_ACCESS_KEY_ID', c.accessKeyId],
    ['AWS_SECRET_ACCESS_KEY', c.secretAccessKey],
  ];
  if (c.sessionToken) vars.push(['AWS_SESSION_TOKEN', c.sessionToken]);
  if (session.expiresAt !== undefined) vars.push(['AWS_CREDENTIAL_EXPIRATION', cliTime(session.expiresAt)]);
  return vars;
}

export function formatCredentials(session: Session, format: ExportFormat): string {
  const vars = variables(session);
  switch (format) {
    case 'bash':
      return vars.map(([k, v]) => `export ${k}=${v}\n`).join('');
    case 'fish':
      return vars.map(([k, v]) => `set -x ${k} ${v}\n`).join('');
    case 'powershell':
      return vars.map(([k, v]) => `$Env:${k}="${v}"\n`).join('');
    case 'cmd':
      return vars.map(([k, v]) => `set ${k}=${v}\n`).join('');
    case 'dotenv':
      return vars.map(([k, v]) => `${k}=${v}\n`).join('');
    case 'process': {
      // The credential_process contract: https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-sourcing-external.html
      const c = session.credentials;
      const body: Record<string, string | number> = { Version: 1, AccessKeyId: c.accessKeyId, SecretAccessKey: c.secretAccessKey };
      if (c.sessionToken) body.SessionToken = c.sessionToken;
      if (session.expiresAt !== undefined) body.Expiration = cliTime(session.expiresAt);
      return `${JSON.stringify(body, null, 2)}\n`;
    }
  }
}
