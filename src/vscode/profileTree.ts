import * as vscode from 'vscode';
import { Commands, ContextKeys, StateKeys, Views } from '../constants';
import { formatDuration } from '../core/session/countdown';
import type { ProfileCatalog } from '../core/config/profileCatalog';
import type { Profile, ProfileSet } from '../core/config/profiles';
import type { ProfileSummary } from '../core/config/profileSummary';
import { KIND_ICONS, KIND_LABELS } from './profileKinds';
import type { SessionManager } from '../core/session/sessionManager';
import { accountAndRole, accountNames, buildIdentityCenterGroups, buildProfileGroups, countMatches, filterMessage, isAssumable, PINNED_GROUP_ID, profileSectionLine, rowDescription, togglePin, type AccountNames, type IdentityCenterAccount, type IdentityCenterGroup, type ProfileGroup } from '../core/config/profileGroups';
import { matchingConfigProfiles, ssoSessionNames } from '../core/config/discoveredRoles';
import type { IdentityCenter } from './identityCenter';
import { engine } from './lazyChunks';
import { Disposable } from './disposable';
import type { Logger } from './logger';
import type { SettingsService } from './settings';

export interface TreeSnapshotNode {
  label: string;
  description?: string;
  contextValue?: string;
  icon?: string;
  tooltip?: string;
  children?: TreeSnapshotNode[];
}

/** Above this many profiles (Identity Center exports) account groups start collapsed, so the view opens instantly. */
const LARGE_TREE = 200;

/** Two opens of the same row within this long are a double-click (the usual OS default). */
const DOUBLE_CLICK_MS = 500;

/** How long after Enter the row's open counts as coming from the keyboard. */
const KEYBOARD_OPEN_MS = 1000;

/** How long the filter waits after a keystroke before redrawing the tree. */
const FILTER_DEBOUNCE_MS = 150;

export type TreeNode =
  | { type: 'group'; group: ProfileGroup }
  /** `under`: the kind of group the row is in (a row under its account does not repeat the account). */
  | { type: 'profile'; profile: Profile; under?: 'account' | 'pinned' }
  | { type: 'ssoSession'; ssoSession: string; group: IdentityCenterGroup }
  | { type: 'account'; ssoSession: string; account: IdentityCenterAccount };

export class ProfileTreeProvider extends Disposable implements vscode.TreeDataProvider<TreeNode> {
  private readonly changed = this._register(new vscode.EventEmitter<TreeNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private filter = '';
  /** Config profiles that reach a discovered role (marked), by name, with the sso-session that lists it. */
  private alsoDiscovered = new Map<string, string>();
  private collapseGroups = false;
  private loggedFileErrors = '';
  private readonly view: vscode.TreeView<TreeNode>;
  private names: AccountNames = new Map();
  /** The last mouse open of a row (double-click detection), and until when an open counts as Enter. */
  private lastOpen: { id: string; at: number; assumed: boolean } | undefined;
  private keyboardOpenUntil = 0;

  constructor(
    private readonly catalog: ProfileCatalog,
    private readonly sessions: SessionManager,
    private readonly log: Logger,
    private readonly identityCenter?: IdentityCenter,
    private readonly settings?: SettingsService,
    private readonly state?: vscode.Memento,
  ) {
    super();
    if (identityCenter) this._register(identityCenter.onDidChange(() => this.changed.fire(undefined)));
    this.view = this._register(vscode.window.createTreeView(Views.profiles, { treeDataProvider: this, showCollapseAll: true }));
    this._register(vscode.commands.registerCommand(Commands.refreshProfiles, () => this.reload()));
    this._register(vscode.commands.registerCommand(Commands.filterProfiles, () => this.askFilter()));
    this._register(vscode.commands.registerCommand(Commands.clearFilter, () => this.setFilter('')));
    this._register(catalog.onDidChange(() => this.changed.fire(undefined)));
    this._register(sessions.onDidChange(() => this.changed.fire(undefined)));
    if (settings) this._register(settings.onDidChange(({ previous, current }) => JSON.stringify(previous.accountNames) !== JSON.stringify(current.accountNames) && this.changed.fire(undefined)));
    this._register(vscode.commands.registerCommand(Commands.openProfileRow, (node: TreeNode) => this.openRow(node)));
    this._register(vscode.commands.registerCommand(Commands.assumeFocusedRow, () => this.enter()));
    this._register(vscode.commands.registerCommand(Commands.openProfileInConfig, (node: TreeNode) => this.openInConfig(node)));
    this._register(vscode.commands.registerCommand(Commands.copyRoleArn, (node: TreeNode) => this.copyRoleArn(node)));
    this._register(vscode.commands.registerCommand(Commands.pinProfile, (node: TreeNode) => this.pin(node, true)));
    this._register(vscode.commands.registerCommand(Commands.unpinProfile, (node: TreeNode) => this.pin(node, false)));
  }

  /** The pinned profile names, in the order they were pinned. */
  get pinned(): string[] {
    const value = this.state?.get<unknown>(StateKeys.pinnedProfiles);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  }

  private async pin(arg: TreeNode | string | undefined, pin: boolean): Promise<void> {
    const name = typeof arg === 'string' ? arg : arg?.type === 'profile' ? arg.profile.name : undefined;
    if (name === undefined || !this.state) return;
    await this.state.update(StateKeys.pinnedProfiles, togglePin(this.pinned, name, pin));
    this.changed.fire(undefined);
  }

  /**
   * A row's command. VS Code runs a TreeItem's command on every "open" of the row: a single click
   * (with the default workbench.list.openMode), each click of a double-click, and Enter (list.select).
   * Assuming a role changes every terminal, so a click only selects, as in the Explorer with
   * openMode doubleClick: a second open of the same row within DOUBLE_CLICK_MS, or an open that
   * Enter started (awsRoles.assumeFocusedRow, bound to Enter in this view), assumes it. Users who
   * set openMode to doubleClick get opens only for double-clicks and Enter, so each one assumes.
   */
  async openRow(node: TreeNode | undefined): Promise<boolean> {
    if (node?.type !== 'profile') return false;
    const now = Date.now();
    const id = `profile:${node.profile.name}`;
    const fromKeyboard = now <= this.keyboardOpenUntil;
    this.keyboardOpenUntil = 0;
    const doubleClickMode = vscode.workspace.getConfiguration('workbench.list').get('openMode') === 'doubleClick';
    const last = this.lastOpen;
    const second = last !== undefined && last.id === id && now - last.at <= DOUBLE_CLICK_MS;
    // A double-click can open the row a third time (the dblclick event): one assume per double-click.
    if (second && last.assumed) return false;
    const assume = fromKeyboard || doubleClickMode || second;
    this.lastOpen = { id, at: now, assumed: assume };
    if (!assume) return false;
    return (await vscode.commands.executeCommand(Commands.assumeRole, node.profile.name)) === true;
  }

  /** Enter in the view: marks the open that follows as the keyboard's, then lets the list open the focused row. */
  private async enter(): Promise<void> {
    this.keyboardOpenUntil = Date.now() + KEYBOARD_OPEN_MS;
    await vscode.commands.executeCommand('list.select');
  }

  /** The profile a menu command was run on, as the files say now (a tree node or a profile name). */
  private async profileOf(arg: TreeNode | string | undefined): Promise<{ set: ProfileSet; profile: Profile } | undefined> {
    const name = typeof arg === 'string' ? arg : arg?.type === 'profile' ? arg.profile.name : undefined;
    const set = name === undefined ? undefined : await this.catalog.get();
    const profile = name === undefined ? undefined : set?.profiles.get(name);
    return set && profile ? { set, profile } : undefined;
  }

  private async openInConfig(arg: TreeNode | string | undefined): Promise<void> {
    const found = await this.profileOf(arg);
    const where = found && profileSectionLine(found.set, found.profile);
    if (!where) return;
    const position = new vscode.Position(where.line, 0);
    await vscode.window.showTextDocument(vscode.Uri.file(where.path), { selection: new vscode.Range(position, position) });
  }

  private async copyRoleArn(arg: TreeNode | string | undefined): Promise<void> {
    const found = await this.profileOf(arg);
    const arn = found && roleArnOf(found.profile);
    if (!found || !arn) return;
    await vscode.env.clipboard.writeText(arn);
    vscode.window.setStatusBarMessage(`$(copy) Copied the role ARN of ${found.profile.name}`, 4000);
  }

  /** What the view says above the tree (unreadable or refused files, the filter), for the inspect command. */
  get message(): string | undefined {
    return this.view.message;
  }

  get filterText(): string {
    return this.filter;
  }

  setFilter(filter: string): void {
    this.filter = filter.trim();
    this.view.description = this.filter ? `filter: ${this.filter}` : undefined;
    void vscode.commands.executeCommand('setContext', ContextKeys.filtered, Boolean(this.filter));
    this.changed.fire(undefined);
  }

  /** The rendered tree as plain data, for the hidden inspect command that tests use. */
  async snapshot(): Promise<TreeSnapshotNode[]> {
    const walk = async (node?: TreeNode): Promise<TreeSnapshotNode[]> => {
      const out: TreeSnapshotNode[] = [];
      for (const child of await this.getChildren(node)) {
        const item = this.resolveTreeItem(this.getTreeItem(child), child);
        out.push({
          label: String(item.label),
          description: typeof item.description === 'string' ? item.description : undefined,
          contextValue: item.contextValue,
          icon: item.iconPath instanceof vscode.ThemeIcon ? item.iconPath.id : undefined,
          tooltip: item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : item.tooltip,
          children: child.type !== 'profile' ? await walk(child) : undefined,
        });
      }
      return out;
    };
    return walk();
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  /** AWS: Refresh Profiles: re-reads the files (a failure shows in the view), then redraws. */
  private async reload(): Promise<void> {
    try {
      await this.catalog.reload();
    } catch (e) {
      this.log.error('Reloading profiles failed', e);
    }
    this.refresh();
  }

  /** AWS: Filter Profiles: applies as you type; Enter keeps it, Esc puts the previous filter back. */
  private askFilter(): Promise<void> {
    const previous = this.filter;
    const input = vscode.window.createInputBox();
    input.title = 'Filter AWS profiles';
    input.prompt = 'Profile name, account id or name, or role name. Enter keeps the filter, Esc restores the previous one.';
    input.value = previous;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let accepted = false;
    return new Promise<void>((resolve) => {
      const subscriptions = [
        input.onDidChangeValue((value) => {
          clearTimeout(timer);
          timer = setTimeout(() => this.setFilter(value), FILTER_DEBOUNCE_MS);
        }),
        input.onDidAccept(() => {
          accepted = true;
          clearTimeout(timer);
          this.setFilter(input.value);
          input.hide();
        }),
        input.onDidHide(() => {
          clearTimeout(timer);
          if (!accepted) this.setFilter(previous);
          for (const d of subscriptions) d.dispose();
          input.dispose();
          resolve();
        }),
      ];
      input.show();
    });
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    if (node?.type === 'group') return node.group.profiles.map((profile) => ({ type: 'profile', profile, under: node.group.id === PINNED_GROUP_ID ? 'pinned' : node.group.accountId ? 'account' : undefined }));
    if (node?.type === 'ssoSession') return node.group.accounts.map((account) => ({ type: 'account', ssoSession: node.ssoSession, account }));
    if (node?.type === 'account') return node.account.profiles.map((profile) => ({ type: 'profile', profile, under: 'account' }));
    if (node) return [];
    let set: ProfileSet;
    try {
      set = await this.catalog.get();
    } catch (e) {
      this.log.error('Reading the AWS config files failed', e);
      await setState('error');
      return [];
    }
    const { config, credentials } = set.files;
    const fileErrors = [
      config.error,
      credentials.error,
      config.refused && `The AWS CLI refuses ${config.path} (${config.refused}) No profile is assumed until it is fixed.`,
      credentials.refused && `The AWS CLI refuses ${credentials.path} (${credentials.refused}) No profile is assumed until it is fixed.`,
    ].filter((e): e is string => Boolean(e));
    this.names = accountNames(set, this.settings?.value.accountNames);
    // A refused or unreadable file is said at the top of the view, not only in the log; so is the filter.
    const filterNote = filterMessage(this.filter, countMatches(set, this.filter, this.names));
    this.view.message = [...fileErrors, filterNote].filter(Boolean).join(' ') || undefined;
    if (fileErrors.length && fileErrors.join() !== this.loggedFileErrors) this.log.error(fileErrors.join(' '));
    this.loggedFileErrors = fileErrors.join();
    if (set.profiles.size === 0) {
      await setState(fileErrors.length ? 'error' : config.status === 'missing' && credentials.status === 'missing' ? 'noConfig' : 'noProfiles');
      return [];
    }
    await setState('ready');
    const groups = buildProfileGroups(set, this.filter, { names: this.names, pinned: this.pinned });
    const ssoGroups = buildIdentityCenterGroups(set, ssoSessionNames(set), this.filter, this.markAlsoDiscovered(set), this.names);
    this.collapseGroups = !this.filter && groups.length + ssoGroups.length > 1 && set.profiles.size > LARGE_TREE;
    const ssoNodes: TreeNode[] = ssoGroups.map((group) => ({ type: 'ssoSession', ssoSession: group.ssoSession, group }));
    // One group needs no extra level of nesting.
    if (groups.length === 1 && ssoNodes.length === 0 && !this.filter) return groups[0].profiles.map((profile) => ({ type: 'profile', profile }));
    return [...groups.map((group): TreeNode => ({ type: 'group', group })), ...ssoNodes];
  }

  /** Finds the config profiles that reach a discovered role (marked in place) and returns the discovered ones to leave out. */
  private markAlsoDiscovered(set: ProfileSet): Set<string> {
    const shownElsewhere = new Set<string>();
    this.alsoDiscovered = new Map();
    for (const p of set.profiles.values()) {
      const d = p.discovered;
      if (!d) continue;
      const matches = matchingConfigProfiles(set, { ...d, ssoRegion: '' });
      if (matches.length === 0) continue;
      shownElsewhere.add(p.name);
      for (const m of matches) this.alsoDiscovered.set(m.name, d.ssoSession);
    }
    return shownElsewhere;
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const activeName = this.sessions.active?.profileName;
    if (node.type === 'ssoSession') {
      const status = this.identityCenter?.statusOf({ name: node.ssoSession }) ?? { state: 'signedOut' as const };
      const hasAccounts = node.group.accounts.length > 0;
      const holdsActive = node.group.accounts.some((a) => a.profiles.some((p) => p.name === activeName));
      const item = new vscode.TreeItem(`${node.ssoSession} — IAM Identity Center`, hasAccounts ? (this.collapseGroups && !holdsActive ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.Expanded) : vscode.TreeItemCollapsibleState.None);
      // VS Code keeps a row's collapsed state by id: drawn first without accounts, the row would stay collapsed once they arrive.
      item.id = hasAccounts ? `sso:${node.ssoSession}` : `sso:${node.ssoSession}:empty`;
      item.iconPath = new vscode.ThemeIcon(status.state === 'signedIn' ? 'organization' : 'lock');
      const when = status.expiresAt !== undefined ? new Date(status.expiresAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : '';
      const state = status.state === 'signedIn' ? `signed in · ${status.refreshable ? 'renews itself' : `until ${when}`}` : status.state === 'expired' ? 'sign-in expired' : 'not signed in';
      item.description = hasAccounts ? `${state} · ${node.group.accounts.length} accounts` : state;
      item.tooltip = new vscode.MarkdownString(
        `**${escape(node.ssoSession)}** — IAM Identity Center\n\n${status.state === 'signedIn' ? `Signed in; the token is valid until ${new Date(status.expiresAt ?? 0).toLocaleString()}${status.refreshable ? ' and renews itself 15 minutes before' : ''}.` : status.state === 'expired' ? 'The sign-in expired: sign in again to use these roles.' : 'Not signed in: sign in to list every account and role you can reach.'}`,
      );
      item.contextValue = `group;ssoSession;${status.state === 'signedIn' ? 'signedIn;' : ''}`;
      if (status.state !== 'signedIn' && !hasAccounts) item.command = { title: 'Sign In', command: Commands.ssoSignIn, arguments: [{ ssoSession: node.ssoSession }] };
      return item;
    }
    if (node.type === 'account') {
      const a = node.account;
      const holdsActive = a.profiles.some((p) => p.name === activeName);
      const item = new vscode.TreeItem(a.accountName ?? a.accountId, this.collapseGroups && !holdsActive ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.Expanded);
      item.id = `sso:${node.ssoSession}:${a.accountId}`;
      item.iconPath = new vscode.ThemeIcon('cloud');
      item.description = a.accountName ? a.accountId : undefined;
      item.contextValue = 'group;account;';
      return item;
    }
    if (node.type === 'group') {
      const holdsActive = node.group.profiles.some((p) => p.name === this.sessions.active?.profileName);
      const item = new vscode.TreeItem(node.group.label, this.collapseGroups && !holdsActive ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.Expanded);
      item.id = node.group.id;
      item.iconPath = new vscode.ThemeIcon(node.group.id === PINNED_GROUP_ID ? 'pinned' : node.group.accountId ? 'cloud' : 'folder');
      item.description = `${node.group.profiles.length}`;
      item.contextValue = 'group;';
      return item;
    }
    const p = node.profile;
    const set = this.catalog.loaded;
    const active = this.sessions.active?.profileName === p.name;
    const problem = set ? engine().profileProblem(set, p) : undefined;
    const item = new vscode.TreeItem(p.name, vscode.TreeItemCollapsibleState.None);
    // A pinned profile has a second row in the Pinned group: ids must differ.
    item.id = `${node.under === 'pinned' ? 'pinned' : 'profile'}:${p.name}`;
    const parts: string[] = [];
    if (p.discovered) {
      // Under its account already: the role is the label, the account is not repeated.
      item.label = node.under === 'pinned' ? `${p.discovered.roleName} · ${this.names.get(p.discovered.accountId) ?? p.discovered.accountId}` : p.discovered.roleName;
    } else {
      parts.push(rowDescription(p, set, { kindLabel: KIND_LABELS[p.kind], showAccount: node.under !== 'account', names: this.names }));
      const listedBy = this.alsoDiscovered.get(p.name);
      if (listedBy) parts.push(`in ${listedBy}`);
    }
    // One active marker: the green icon; only when a problem takes the icon does the text say it.
    if (active && problem) parts.unshift('active');
    item.description = parts.join(' · ') || undefined;
    item.iconPath = problem
      ? problem.severity === 'error'
        ? new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'))
        : new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'))
      : active
        ? new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('charts.green'))
        : new vscode.ThemeIcon(KIND_ICONS[p.kind]);
    const assumable = problem?.severity !== 'error' && isAssumable(p);
    const pinned = this.pinned.includes(p.name);
    const inConfig = set !== undefined && profileSectionLine(set, p) !== undefined;
    item.contextValue = `profile;${p.kind};${assumable ? 'assumable;' : ''}${active ? 'active;' : ''}${p.discovered ? 'discovered;' : ''}${pinned ? 'pinned;' : 'unpinned;'}${inConfig ? 'inConfig;' : ''}${roleArnOf(p) ? 'roleArn;' : ''}`;
    if (assumable) item.command = { title: 'Select (double-click or Enter: Assume)', command: Commands.openProfileRow, arguments: [node] };
    item.accessibilityInformation = { label: `${p.name}${active ? ', active' : ''}, ${item.description ?? ''}${problem ? `, has ${problem.severity === 'error' ? 'an error' : 'a warning'}` : ''}` };
    return item;
  }

  // Tooltips are built on hover: with thousands of rows, most are never looked at.
  resolveTreeItem(item: vscode.TreeItem, node: TreeNode): vscode.TreeItem {
    if (node.type !== 'profile') return item;
    const set = this.catalog.loaded;
    const p = node.profile;
    const summary: ProfileSummary = set ? engine().summarizeProfile(set, p) : { source: p.sourceProfile ? { label: 'Source profile', value: p.sourceProfile } : undefined };
    item.tooltip = this.tooltip(p, summary, this.sessions.active?.profileName === p.name);
    return item;
  }

  private tooltip(p: Profile, { problem, source, durationSeconds }: ProfileSummary, active: boolean): vscode.MarkdownString {
    const md = new vscode.MarkdownString(undefined, true);
    const d = p.discovered;
    if (d) {
      md.appendMarkdown(`**${escape(d.roleName)}** — IAM Identity Center${active ? ' (active)' : ''}\n\n`);
      md.appendMarkdown(`Account: ${escape(d.accountName ?? d.accountId)} \`${d.accountId}\`  \nSign-in: \`${d.ssoSession}\`  \nRegion: \`${p.region ?? 'not set'}\`  \nKeybinding argument: \`${JSON.stringify({ ssoSession: d.ssoSession, accountId: d.accountId, roleName: d.roleName })}\``);
      return md;
    }
    md.appendMarkdown(`**${escape(p.name)}** — ${KIND_LABELS[p.kind]}${active ? ' (active)' : ''}\n\n`);
    const rows: [string, string | undefined][] = [];
    if (p.settings.role_arn) rows.push(['Role ARN', p.settings.role_arn]);
    const account = accountAndRole(p)?.accountId;
    if (account) rows.push(['Account', this.names.has(account) ? `${this.names.get(account)} (${account})` : account]);
    if (source) rows.push([source.label, source.value]);
    rows.push(['Region', p.region ?? 'not set (us-east-1 or AWS_REGION)']);
    if (durationSeconds !== undefined) rows.push(['Duration', formatDuration(durationSeconds)]);
    if (p.mfaSerial) rows.push(['MFA device', p.mfaSerial]);
    if (p.externalId) rows.push(['External ID', 'set']);
    if (p.roleSessionName) rows.push(['Session name', p.roleSessionName]);
    for (const [k, v] of rows) if (v) md.appendMarkdown(`${k}: \`${v.replace(/`/g, "'")}\`  \n`);
    const listedBy = this.alsoDiscovered.get(p.name);
    if (listedBy) md.appendMarkdown(`\nAlso listed by IAM Identity Center (\`${listedBy}\`).  \n`);
    if (problem) md.appendMarkdown(`\n$(${problem.severity}) ${escape(this.log.redactor.redact(problem.message))}`);
    return md;
  }
}

/** The ARN of the role a profile assumes, when the config names it (Identity Center roles have paths nobody wrote down). */
function roleArnOf(profile: Profile): string | undefined {
  return profile.role ? profile.settings.role_arn : undefined;
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

export function setState(state: 'loading' | 'noConfig' | 'noProfiles' | 'error' | 'ready'): Thenable<unknown> {
  return vscode.commands.executeCommand('setContext', ContextKeys.state, state);
}


