import * as vscode from 'vscode';
import { resolveExecutable, type SsoLoginProcess } from '../core/credentials/ssoLogin';

/** How an `aws sso login` run ended. */
export type SsoLoginOutcome =
  | { kind: 'notFound'; executable: string }
  | { kind: 'exited'; code: number }
  /** The terminal was closed before the CLI finished (VS Code reports no exit code then). */
  | { kind: 'closed' };

/**
 * Runs the CLI as the terminal's own process, with no shell between: the terminal shows the
 * device code and the URL while `aws` waits for the browser, and closes when it exits. The exit
 * code comes from the terminal's exit status. A terminal rather than a task, because tasks do
 * not run in Restricted Mode and signing in must.
 */
export async function runSsoLoginInTerminal(login: SsoLoginProcess): Promise<SsoLoginOutcome> {
  const executable = resolveExecutable(login.executable);
  if (!executable) return { kind: 'notFound', executable: login.executable };
  const terminal = vscode.window.createTerminal({ name: 'AWS SSO login', shellPath: executable, shellArgs: [...login.args], isTransient: true });
  // Registered in the same tick: the close of the terminal arrives as a later event, even for a CLI that fails at once.
  const closed = new Promise<vscode.TerminalExitStatus | undefined>((resolve) => {
    const listener = vscode.window.onDidCloseTerminal((t) => {
      if (t !== terminal) return;
      listener.dispose();
      resolve(t.exitStatus);
    });
  });
  terminal.show();
  const status = await closed;
  return status?.code === undefined ? { kind: 'closed' } : { kind: 'exited', code: status.code };
}

/** What the user is told when a sign-in did not succeed; undefined when it did. */
export function ssoLoginFailureMessage(outcome: SsoLoginOutcome): string | undefined {
  switch (outcome.kind) {
    case 'notFound':
      return 'The AWS CLI v2 was not found on PATH; install it or sign in from a terminal (aws sso login).';
    case 'closed':
      return 'The AWS SSO login terminal was closed before the sign-in finished.';
    case 'exited':
      return outcome.code === 0 ? undefined : `aws sso login did not finish (exit code ${outcome.code}). Run it in a terminal to see why.`;
  }
}
