import * as vscode from 'vscode';
import type { Logger } from './logger';

const SHOW_LOG = 'Show Log';

/**
 * A notification with a **Show Log** button after the given actions. The text passes the
 * redactor first, because error messages can quote anything a tool or endpoint said. Resolves
 * to the action picked (Show Log is handled here and resolves undefined).
 */
export async function notifyWithLog(log: Logger, severity: 'error' | 'warning', message: string, ...actions: string[]): Promise<string | undefined> {
  const show = severity === 'error' ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
  const choice = await show(log.redactor.redact(message), ...actions, SHOW_LOG);
  if (choice === SHOW_LOG) {
    log.show();
    return undefined;
  }
  return choice;
}
