import * as vscode from 'vscode';
import { ContextKeys, Views } from '../constants';
import { formatDuration } from '../core/countdown';
import { errorMessage } from '../core/errors';
import type { ProfileCatalog } from '../core/profileCatalog';
import { DEFAULT_DURATION_SECONDS, type Profile, type ProfileKind, type ProfileSet } from '../core/profiles';
import type { SessionManager } from '../core/sessionManager';
import { chainNames, resolveSourceChain } from '../core/sourceChain';
import { buildProfileGroups, type ProfileGroup } from '../core/treeModel';
import { Disposable } from './disposable';
import type { Logger } from './logger';

export interface TreeSnapshotNode {
  label: string;
  description?: string;
  contextValue?: string;
  icon?: string;
  tooltip?: string;
  children?: TreeSnapshotNode[];
}

export type TreeNode = { type: 'group'; group: ProfileGroup } | { type: 'profile'; profile: Profile };

const KIND_ICONS: Record<ProfileKind, string> = {
  role: 'shield',
  webIdentity: 'globe',
  static: 'key',
  sso: 'organization',
  process: 'terminal',
  other: 'question',
};

const KIND_LABELS: Record<ProfileKind, string> = {
  role: 'role',
  webIdentity: 'web identity role',
  static: 'access keys',
  sso: 'IAM Identity Center',
  process: 'credential process',
  other: 'no credentials',
};

/** Why a profile cannot be used as it is, or undefined. */
function profileProblem(set: ProfileSet, profile: Profile): string | undefined {
  if (profile.problems.length) return profile.problems.join(' ');
  if (profile.kind !== 'role') return undefined;
  try {
    resolveSourceChain(set, profile.name);
    return undefined;
  } catch (e) {
    return errorMessage(e);
  }
}

export class ProfileTreeProvider extends Disposable implements vscode.TreeDataProvider<TreeNode> {
  private readonly changed = this._register(new vscode.EventEmitter<TreeNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private filter = '';
  private readonly view: vscode.TreeView<TreeNode>;

  constructor(
    private readonly catalog: ProfileCatalog,
    private readonly sessions: SessionManager,
    private readonly log: Logger,
  ) {
    super();
    this.view = this._register(vscode.window.createTreeView(Views.profiles, { treeDataProvider: this, showCollapseAll: true }));
    this._register(catalog.onDidChange(() => this.changed.fire(undefined)));
    this._register(sessions.onDidChange(() => this.changed.fire(undefined)));
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
        const item = this.getTreeItem(child);
        out.push({
          label: String(item.label),
          description: typeof item.description === 'string' ? item.description : undefined,
          contextValue: item.contextValue,
          icon: item.iconPath instanceof vscode.ThemeIcon ? item.iconPath.id : undefined,
          tooltip: item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : item.tooltip,
          children: child.type === 'group' ? await walk(child) : undefined,
        });
      }
      return out;
    };
    return walk();
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    if (node?.type === 'group') return node.group.profiles.map((profile) => ({ type: 'profile', profile }));
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
    if (config.status === 'error' || credentials.status === 'error') {
      this.log.error([config.error, credentials.error].filter(Boolean).join(' '));
    }
    if (set.profiles.size === 0) {
      await setState(config.status === 'missing' && credentials.status === 'missing' ? 'noConfig' : 'noProfiles');
      return [];
    }
    await setState('ready');
    const groups = buildProfileGroups(set, this.filter);
    // One group needs no extra level of nesting.
    if (groups.length === 1 && !this.filter) return groups[0].profiles.map((profile) => ({ type: 'profile', profile }));
    return groups.map((group) => ({ type: 'group', group }));
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    if (node.type === 'group') {
      const item = new vscode.TreeItem(node.group.label, vscode.TreeItemCollapsibleState.Expanded);
      item.id = node.group.id;
      item.iconPath = new vscode.ThemeIcon(node.group.accountId ? 'cloud' : 'folder');
      item.description = `${node.group.profiles.length}`;
      item.contextValue = 'group;';
      return item;
    }
    const p = node.profile;
    const set = this.catalog.loaded;
    const active = this.sessions.active?.profileName === p.name;
    const problem = set ? profileProblem(set, p) : undefined;
    const item = new vscode.TreeItem(p.name, vscode.TreeItemCollapsibleState.None);
    item.id = `profile:${p.name}`;
    const parts: string[] = [];
    if (active) parts.push('● active');
    parts.push(p.role ? `${p.role.roleName} · ${p.role.accountId}` : KIND_LABELS[p.kind]);
    item.description = parts.join(' · ');
    item.iconPath = problem
      ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'))
      : active
        ? new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('charts.green'))
        : new vscode.ThemeIcon(KIND_ICONS[p.kind]);
    item.tooltip = this.tooltip(p, set, problem, active);
    const assumable = !problem && (p.kind === 'role' || p.kind === 'static');
    item.contextValue = `profile;${p.kind};${assumable ? 'assumable;' : ''}${active ? 'active;' : ''}`;
    item.accessibilityInformation = { label: `${p.name}, ${item.description}${problem ? ', has a problem' : ''}` };
    return item;
  }

  private tooltip(p: Profile, set: ProfileSet | undefined, problem: string | undefined, active: boolean): vscode.MarkdownString {
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**${escape(p.name)}** — ${KIND_LABELS[p.kind]}${active ? ' (active)' : ''}\n\n`);
    const rows: [string, string | undefined][] = [];
    if (p.settings.role_arn) rows.push(['Role ARN', p.settings.role_arn]);
    if (set && p.kind === 'role' && !problem) {
      try {
        rows.push(['Source chain', chainNames(resolveSourceChain(set, p.name)).join(' → ')]);
      } catch {
        // Reported as the problem below.
      }
    } else if (p.sourceProfile) rows.push(['Source profile', p.sourceProfile]);
    rows.push(['Region', p.region ?? 'not set (us-east-1 or AWS_REGION)']);
    if (p.kind === 'role') rows.push(['Duration', formatDuration(p.durationSeconds ?? DEFAULT_DURATION_SECONDS)]);
    if (p.mfaSerial) rows.push(['MFA device', p.mfaSerial]);
    if (p.externalId) rows.push(['External ID', 'set']);
    if (p.roleSessionName) rows.push(['Session name', p.roleSessionName]);
    for (const [k, v] of rows) if (v) md.appendMarkdown(`${k}: \`${v.replace(/`/g, "'")}\`  \n`);
    if (problem) md.appendMarkdown(`\n$(warning) ${escape(problem)}`);
    return md;
  }
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

export function setState(state: 'loading' | 'noConfig' | 'noProfiles' | 'error' | 'ready'): Thenable<unknown> {
  return vscode.commands.executeCommand('setContext', ContextKeys.state, state);
}

