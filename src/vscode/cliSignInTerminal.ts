import * as vscode from 'vscode';
import { AWS_LOGIN_MIN_CLI_VERSION, cliSignInCommand, resolveExecutable, type CliSignInProcess } from '../core/credentials/cliSignIn';

/** How an AWS CLI sign-in run ended. */
export type CliSignInOutcome =
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
export async function runCliSignInInTerminal(signIn: CliSignInProcess): Promise<CliSignInOutcome> {
  const executable = resolveExecutable(signIn.executable);
  if (!executable) return { kind: 'notFound', executable: signIn.executable };
  const terminal = vscode.window.createTerminal({ name: cliSignInCommand(signIn.args), shellPath: executable, shellArgs: [...signIn.args], isTransient: true });
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
export function cliSignInFailureMessage(outcome: CliSignInOutcome, args: readonly string[]): string | undefined {
  const command = cliSignInCommand(args);
  // aws login is new: an older CLI refuses it as an unknown command.
  const needs = args[0] === 'login' ? ` It needs AWS CLI ${AWS_LOGIN_MIN_CLI_VERSION} or later.` : '';
  switch (outcome.kind) {
    case 'notFound':
      return `The AWS CLI v2 was not found on PATH; install it or sign in from a terminal (${command}).${needs}`;
    case 'closed':
      return `The ${command} terminal was closed before the sign-in finished.`;
    case 'exited':
      return outcome.code === 0 ? undefined : `${command} did not finish (exit code ${outcome.code}).${needs} Run it in a terminal to see why.`;
  }
}
