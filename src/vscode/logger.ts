import * as vscode from 'vscode';
import { Redactor } from '../core/redact';
import { Commands, LOG_CHANNEL_NAME } from '../constants';

/**
 * The extension's one log. Every line passes the redactor first, so a secret the
 * extension has seen, or anything shaped like an AWS credential, never reaches the
 * output channel or its log file.
 */
export class Logger implements vscode.Disposable {
  private channel: vscode.LogOutputChannel | undefined;

  private readonly showCommand: vscode.Disposable;

  constructor(readonly redactor: Redactor) {
    this.showCommand = vscode.commands.registerCommand(Commands.showLog, () => this.show());
  }

  // Created on first write so activation stays free of UI work.
  private get out(): vscode.LogOutputChannel {
    this.channel ??= vscode.window.createOutputChannel(LOG_CHANNEL_NAME, { log: true });
    return this.channel;
  }

  debug(message: string): void {
    this.out.debug(this.redactor.redact(message));
  }

  info(message: string): void {
    this.out.info(this.redactor.redact(message));
  }

  warn(message: string): void {
    this.out.warn(this.redactor.redact(message));
  }

  error(message: string, error?: unknown): void {
    const detail = error instanceof Error ? `: ${error.name}: ${error.message}` : error !== undefined ? `: ${String(error)}` : '';
    this.out.error(this.redactor.redact(message + detail));
  }

  show(): void {
    this.out.show(true);
  }

  dispose(): void {
    this.showCommand.dispose();
    this.channel?.dispose();
    this.channel = undefined;
  }
}
