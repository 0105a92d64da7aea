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
  /** `known`, longest first; sorted once per change, not on every line redacted. */
  private longestFirst: string[] | undefined;

  /**
   * Registers values that must never be shown, with the forms they take in a URL or a JSON
   * document (a secret sent in a query string or quoted in a JSON body reaches an error message
   * that way). Short values are ignored: they would mask ordinary words.
   */
  remember(...secrets: (string | undefined)[]): void {
    for (const secret of secrets) {
      if (secret && secret.length >= 6) for (const form of encodedForms(secret)) this.known.add(form);
    }
    this.longestFirst = undefined;
  }

  redact(text: string): string {
    let out = text;
    // Longest first, so an encoded form is replaced whole before a shorter form inside it.
    this.longestFirst ??= [...this.known].sort((a, b) => b.length - a.length);
    for (const secret of this.longestFirst) {
      if (out.includes(secret)) out = out.split(secret).join('***');
    }
    return redactPatterns(out);
  }
}

/**
 * The forms a secret takes on its way into text: as written, percent-encoded (upper and lower
 * case hex, once and twice: a URL inside a URL), form-encoded, and escaped in a JSON string
 * (with and without `\/`), and those JSON forms percent-encoded (a JSON body in a query string).
 */
export function encodedForms(secret: string): Set<string> {
  const json = JSON.stringify(secret).slice(1, -1);
  const jsonSlash = json.split('/').join('\\/');
  const forms = new Set<string>();
  for (const plain of [secret, json, jsonSlash]) {
    const once = encodeURIComponent(plain);
    const formEncoded = new URLSearchParams({ x: plain }).toString().slice(2);
    for (const f of [plain, once, formEncoded, encodeURIComponent(once)]) {
      forms.add(f);
      forms.add(f.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
    }
  }
  return forms;
}

// A quote, raw, JSON-escaped or percent-encoded; a `:` or `=`, raw or percent-encoded.
const QUOTE = `(?:["']|\\\\?"|%22|%27)?`;
const SEP = `(?:[:=]|%3[AaDd])`;
const SECRET_KEY_NAMES = new RegExp(
  `(aws_secret_access_key|aws_session_token|secretaccesskey|sessiontoken|sessionkey|secret_access_key|session_token|x-amz-security-token|tokencode|token_code|authorization)(${QUOTE}\\s*${SEP}\\s*${QUOTE})((?:[^\\s"',;}&%\\\\]|%(?!22|27|2[Cc]|7[Dd]|26)[0-9A-Fa-f]{2})+)`,
  'gi',
);
// Also right after a percent escape (`%22ASIA…` in an encoded JSON body), where \b sees no boundary.
const ACCESS_KEY_ID = /(?:(?<=%[0-9A-Fa-f]{2})|\b)(AKIA|ASIA|AIDA|AROA|ANPA|ANVA|APKA)[A-Z0-9]{12,}\b/g;
// STS session tokens are long base64, also percent-encoded or with JSON's `\/`; ordinary prose,
// ARNs, paths and URLs (their dots and dashes break the run) never reach 100 such characters unbroken.
const LONG_TOKEN = /(?:[A-Za-z0-9+/=]|%[0-9A-Fa-f]{2}|\\\/){100,}/g;

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
