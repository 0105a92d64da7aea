import type * as vscode from 'vscode';
import type { AddRoleProfileUi } from './addRoleProfile';

/**
 * One answer of a scripted user: the text typed (input), the label picked (pick) or the button
 * pressed (notify); null cancels (Escape, or a notification closed). A function is called with what
 * was asked, so a test can change the world before answering (the integration tests call the
 * hook inside the extension host, where arguments are passed as they are).
 */
export type ScriptedAnswer = string | null | ((asked: AskedPrompt) => string | null | Promise<string | null>);

/** What the command asked, as the test sees it. */
export interface AskedPrompt {
  type: 'input' | 'pick' | 'notify' | 'assume';
  title?: string;
  prompt?: string;
  placeHolder?: string;
  /** An input box's initial value. */
  value?: string;
  items?: { label: string; description?: string; icon?: string }[];
  severity?: 'info' | 'warning';
  message?: string;
  actions?: string[];
  /** What validateInput said of the scripted answer (which is then refused, as the input box would). */
  refused?: string;
  profileName?: string;
  assumed?: boolean;
}

/** Answers the prompts of a command from a script and records them; test hooks only. */
export class ScriptedUi implements AddRoleProfileUi {
  readonly asked: AskedPrompt[] = [];

  constructor(
    private readonly answers: ScriptedAnswer[],
    private readonly assumeRole: (profileName: string) => Thenable<boolean | undefined>,
  ) {}

  private async next(asked: AskedPrompt): Promise<string | null> {
    this.asked.push(asked);
    if (this.answers.length === 0) throw new Error(`No scripted answer left for ${asked.type} "${asked.title ?? asked.message ?? ''}"`);
    const answer = this.answers.shift() as ScriptedAnswer;
    return typeof answer === 'function' ? answer(asked) : answer;
  }

  async input(options: vscode.InputBoxOptions): Promise<string | undefined> {
    const asked: AskedPrompt = { type: 'input', title: options.title, prompt: options.prompt, placeHolder: options.placeHolder, value: options.value };
    const answer = await this.next(asked);
    if (answer === null) return undefined;
    const refused = await options.validateInput?.(answer);
    if (refused) {
      asked.refused = typeof refused === 'string' ? refused : refused.message;
      return undefined;
    }
    return answer;
  }

  async pick<T extends vscode.QuickPickItem>(items: T[], options: vscode.QuickPickOptions): Promise<T | undefined> {
    const icon = (i: vscode.QuickPickItem) => (i.iconPath && typeof i.iconPath === 'object' && 'id' in i.iconPath ? i.iconPath.id : undefined);
    const answer = await this.next({ type: 'pick', title: options.title, placeHolder: options.placeHolder, items: items.map((i) => ({ label: i.label, description: i.description, icon: icon(i) })) });
    return answer === null ? undefined : items.find((i) => i.label === answer);
  }

  async notify(severity: 'info' | 'warning', message: string, ...actions: string[]): Promise<string | undefined> {
    return (await this.next({ type: 'notify', severity, message, actions })) ?? undefined;
  }

  async assume(profileName: string): Promise<boolean | undefined> {
    const assumed = await this.assumeRole(profileName);
    this.asked.push({ type: 'assume', profileName, assumed: assumed === true });
    return assumed;
  }
}
