/**
 * The `aws sso login` command line typed into a terminal: POSIX single quotes for words that
 * need them (profile and session names may hold spaces), and `&& exit`, so the terminal closes
 * by itself only when the login succeeded.
 */
export function ssoLoginShellCommand(args: readonly string[]): string {
  return `${['aws', ...args].map(shellQuote).join(' ')} && exit`;
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}
