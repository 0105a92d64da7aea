/**
 * Removes credentials from anything on its way to a log, a notification or an error.
 *
 * Two layers: secrets we know (every key, secret and token the extension has held
 * is registered) are replaced wherever they appear, and shapes that look like AWS
 * credentials are masked even when we never saw them (a key pasted in a config
 * value, a token echoed in an SDK error).
 */
export class Redactor {
  private readonly known = new Set<string>();

  /** Registers values that must never be shown. Short values are ignored: they would mask ordinary words. */
  remember(...secrets: (string | undefined)[]): void {
    for (const secret of secrets) {
      if (secret && secret.length >= 6) this.known.add(secret);
    }
  }

  redact(text: string): string {
    let out = text;
    for (const secret of this.known) {
      if (out.includes(secret)) out = out.split(secret).join('***');
    }
    return redactPatterns(out);
  }
}

const SECRET_KEY_NAMES = /(aws_secret_access_key|aws_session_token|secretaccesskey|sessiontoken|secret_access_key|session_token|x-amz-security-token|tokencode|token_code|authorization)(["']?\s*[:=]\s*["']?)([^\s"',;}&]+)/gi;
const ACCESS_KEY_ID = /\b(AKIA|ASIA|AIDA|AROA|ANPA|ANVA|APKA)[A-Z0-9]{12,}\b/g;
// STS session tokens are long base64; ordinary prose, ARNs and paths never reach 100 such characters unbroken.
const LONG_TOKEN = /[A-Za-z0-9+/=]{100,}/g;

/** Masks credential-shaped text. Access key ids keep their prefix so logs stay useful ("ASIA…"). */
export function redactPatterns(text: string): string {
  return text
    .replace(SECRET_KEY_NAMES, (_m, key: string, sep: string) => `${key}${sep}***`)
    .replace(LONG_TOKEN, '***')
    .replace(ACCESS_KEY_ID, (m) => `${m.slice(0, 4)}…${m.slice(-4)}`);
}

/** Variable names whose values are secrets, for redacting whole environment maps. */
export const SECRET_ENV_NAMES: ReadonlySet<string> = new Set([
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
  'AWS_ACCESS_KEY_ID',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
]);

/** A copy of an env map fit to log: secret values become `***`. */
export function redactEnv(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    out[name] = SECRET_ENV_NAMES.has(name) ? '***' : value;
  }
  return out;
}

/** Config keys whose values are secrets: no message, diagnostic or tooltip may quote them. */
const SECRET_CONFIG_KEYS = new Set(['aws_secret_access_key', 'aws_session_token', 'aws_security_token']);

export function isSecretConfigKey(key: string): boolean {
  return SECRET_CONFIG_KEYS.has(key.toLowerCase());
}
