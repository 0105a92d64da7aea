import * as vscode from 'vscode';
import { Commands, StatusBarIds } from '../constants';
import type { Clock, TimerHandle } from '../core/clock';
import type { MfaSessionCache } from '../core/credentials/mfaSessions';
import { formatCountdown } from '../core/session/countdown';
import { formatIdentityLabel, shownProfileName } from '../core/session/identityLabel';
import type { Session } from '../core/session/session';
import type { SessionManager } from '../core/session/sessionManager';
import { Disposable, toDisposable } from './disposable';
import type { SettingsService } from './settings';

export type StatusBarState = 'none' | 'active' | 'warning' | 'expired';

/**
 * Shows who you are now and how long the keys last. Ticks once a second only while a
 * session with an expiry is shown; with no session there is no timer at all.
 */
export class IdentityStatusBar extends Disposable {
  private readonly item: vscode.StatusBarItem;
  private ticker: TimerHandle | undefined;
  private expired: Session | undefined;
  private state: StatusBarState = 'none';

  constructor(
    private readonly sessions: SessionManager,
    private readonly mfaSessions: MfaSessionCache,
    private readonly settings: SettingsService,
    private readonly clock: Clock,
    /** The account's name where one is known (a role discovered through IAM Identity Center). */
    private readonly accountName: (profileName: string) => string | undefined = () => undefined,
  ) {
    super();
    this.item = this._register(vscode.window.createStatusBarItem(StatusBarIds.identity, vscode.StatusBarAlignment.Left, 50));
    this.item.name = 'AWS Role';
    this._register(
      sessions.onDidChange((change) => {
        this.expired = change.reason === 'expired' ? change.previous : undefined;
        this.render();
      }),
    );
    this._register(settings.onDidChange(() => this.render()));
    this._register(sessions.onDidChangeRefreshProblem(() => this.render()));
    this._register(mfaSessions.onDidChange(() => this.render()));
    this._register(toDisposable(() => this.stopTicker()));
    this._register(vscode.commands.registerCommand(Commands.statusBarActions, () => this.showActions()));
    this.render();
    this.item.show();
  }

  /** What a click on the item offers. */
  private async showActions(): Promise<void> {
    const active = this.sessions.active;
    type Action = vscode.QuickPickItem & { command: string };
    const actions: Action[] = [{ label: '$(arrow-swap) Switch Role…', command: Commands.assumeRole }];
    if (active) {
      actions.push({ label: '$(account) Show Caller Identity', description: active.arn, command: Commands.showCallerIdentity });
      if (active.expiresAt !== undefined) actions.push({ label: '$(sync) Refresh Credentials', description: 'renew now', command: Commands.refreshCredentials });
      actions.push({ label: '$(copy) Copy Credentials…', description: 'export lines, .env, credential_process JSON', command: Commands.copyCredentials });
      actions.push({ label: '$(link-external) Open Console as Role', command: Commands.openConsole });
      actions.push({ label: '$(close) Drop Credentials', description: `forget ${active.profileName}`, command: Commands.dropCredentials });
    }
    if (active || this.mfaSessions.live(this.clock.now()).length) actions.push({ label: '$(sign-out) Sign Out', description: 'forget the session and every MFA session', command: Commands.signOut });
    actions.push({ label: '$(output) Show Log', command: Commands.showLog });
    const picked = await vscode.window.showQuickPick(actions, { title: active ? `AWS: ${active.roleName ?? active.profileName}` : 'AWS Role Switcher' });
    if (picked) await vscode.commands.executeCommand(picked.command);
  }

  get currentState(): StatusBarState {
    return this.state;
  }

  get text(): string {
    return this.item.text;
  }

  /** What tests check beyond the text: the tooltip as plain text and what a click runs. */
  get details(): { tooltip: string; command?: string; arguments?: unknown[] } {
    const tooltip = this.item.tooltip;
    const command: { command: string; arguments?: unknown[] } | undefined = typeof this.item.command === 'string' ? { command: this.item.command } : this.item.command;
    return { tooltip: typeof tooltip === 'string' ? tooltip : (tooltip?.value ?? ''), command: command?.command, arguments: command?.arguments };
  }

  private render(): void {
    const session = this.sessions.active;
    if (!session) {
      this.stopTicker();
      if (this.expired) this.renderExpired(this.expired);
      else this.renderNone();
      return;
    }
    const label = this.label(session);
    const msLeft = session.expiresAt !== undefined ? session.expiresAt - this.clock.now() : undefined;
    const problem = this.sessions.refreshProblem;
    const warning = problem !== undefined || (msLeft !== undefined && msLeft <= this.settings.value.warningMinutes * 60_000);
    this.state = warning ? 'warning' : 'active';
    const icon = problem?.needsMfa || problem?.needsSignIn ? 'lock' : warning ? 'warning' : 'shield';
    this.item.text = `$(${icon}) ${label}${msLeft !== undefined ? ` ${formatCountdown(msLeft)}` : ''}`;
    this.item.backgroundColor = warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.tooltip = this.tooltip(session);
    // With a code needed, one click asks for it; otherwise the actions menu.
    this.item.command = problem?.needsMfa
      ? { title: 'Enter MFA code', command: Commands.refreshCredentials }
      : problem?.needsSignIn
        ? { title: 'Sign in again', command: Commands.refreshCredentials }
        : { title: 'AWS role actions', command: Commands.statusBarActions };
    this.item.accessibilityInformation = {
      label: `AWS profile ${session.profileName}, role ${session.roleName ?? session.profileName} in account ${this.accountName(session.profileName) ? `${this.accountName(session.profileName)} (${session.accountId})` : session.accountId}${msLeft !== undefined ? `, expires in ${formatCountdown(msLeft)}` : ''}`,
    };
    if (msLeft !== undefined) this.scheduleTick();
    else this.stopTicker();
  }

  /** The session in the words of `awsRoles.statusBar.format`. */
  private label(session: Session): string {
    return formatIdentityLabel(this.settings.value.statusBarFormat, { profile: shownProfileName(session), role: session.roleName, accountId: session.accountId, accountName: this.accountName(session.profileName) });
  }

  private renderNone(): void {
    this.state = 'none';
    this.item.text = '$(shield) AWS: no role';
    this.item.tooltip = 'No AWS role is active. Click to assume one.';
    this.item.backgroundColor = undefined;
    this.item.command = { title: 'Assume Role', command: Commands.assumeRole };
    this.item.accessibilityInformation = { label: 'No AWS role active. Assume a role.' };
  }

  private renderExpired(session: Session): void {
    this.state = 'expired';
    this.item.text = `$(error) ${this.label(session)} expired`;
    this.item.tooltip = `The credentials of profile "${session.profileName}" expired at ${new Date(session.expiresAt ?? 0).toLocaleTimeString()}. Click to assume "${session.profileName}" again.`;
    this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
    // What the tooltip says: the same profile again (asking for an MFA code or a sign-in if it needs one).
    this.item.command = { title: `Assume ${session.profileName} again`, command: Commands.assumeRole, arguments: [session.profileName] };
    this.item.accessibilityInformation = { label: `AWS profile ${session.profileName} expired. Assume it again.` };
  }

  private tooltip(session: Session): vscode.MarkdownString {
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**AWS role** from profile \`${session.profileName}\`\n\n`);
    const accountName = this.accountName(session.profileName);
    if (accountName) md.appendMarkdown(`Account: ${accountName.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&')} \`${session.accountId}\`  \n`);
    md.appendMarkdown(`ARN: \`${session.arn}\`  \n`);
    if (session.sessionName) md.appendMarkdown(`Session name: \`${session.sessionName}\`  \n`);
    if (session.expiresAt !== undefined) md.appendMarkdown(`Expires: ${new Date(session.expiresAt).toLocaleString()}  \n`);
    // The whole way the credentials came (picked → … → root), not just the root.
    if (session.chain.length > 1) md.appendMarkdown(`Source chain: ${session.chain.map((name) => `\`${name}\``).join(' → ')}  \n`);
    else if (session.sourceProfile) md.appendMarkdown(`Source profile: \`${session.sourceProfile}\`  \n`);
    md.appendMarkdown(`Region: \`${session.region}\``);
    // A live MFA session lets anyone at this machine assume the roles behind that device without a code, until it expires or AWS: Sign Out.
    for (const m of this.mfaSessions.live(this.clock.now())) md.appendMarkdown(`  \n$(unlock) MFA session for \`${m.mfaSerial}\` live until ${new Date(m.expiresAt).toLocaleString()} (AWS: Sign Out forgets it)`);
    const problem = this.sessions.refreshProblem;
    if (problem) md.appendMarkdown(problem.needsMfa ? '\n\n$(lock) Renewing needs an MFA code: click to enter it.' : problem.needsSignIn ? '\n\n$(lock) Renewing needs a new sign-in: click to sign in.' : '\n\n$(warning) The last renewal failed; these credentials work until they expire.');
    else if (this.sessions.nextRefreshAt !== undefined) md.appendMarkdown(`\n\nRenews itself at ${new Date(this.sessions.nextRefreshAt).toLocaleTimeString()}.`);
    return md;
  }

  // Aligns ticks to the next whole second of the countdown, so the display never skips or stalls.
  private scheduleTick(): void {
    this.stopTicker();
    const expiresAt = this.sessions.active?.expiresAt;
    if (expiresAt === undefined) return;
    const msLeft = expiresAt - this.clock.now();
    const delay = msLeft > 0 ? (msLeft % 1000) + 1 : 1000;
    this.ticker = this.clock.setTimeout(() => {
      this.ticker = undefined;
      this.render();
    }, delay);
  }

  private stopTicker(): void {
    if (this.ticker) this.clock.clearTimeout(this.ticker);
    this.ticker = undefined;
  }
}
