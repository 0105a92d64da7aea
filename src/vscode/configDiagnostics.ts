import * as vscode from 'vscode';
import type { AwsCliFacts, ConfigDiagnostic, ConfigFileKind, ConfigFix } from '../core/config/diagnostics';
import type { AwsCliCheck } from '../core/credentials/cliSignIn';
import { errorMessage } from '../core/errors';
import { engine } from './lazyChunks';
import type { ProfileCatalog } from '../core/config/profileCatalog';
import type { ProfileSet } from '../core/config/profiles';
import { configFileKindOf } from './configLanguage';
import { Disposable } from './disposable';
import type { Logger } from './logger';

const SOURCE = 'AWS Role Switcher';

const SEVERITY: Record<ConfigDiagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

function toRange(edit: Pick<ConfigDiagnostic, 'range'>, document: vscode.TextDocument | undefined): vscode.Range {
  const { line, start, end } = edit.range;
  const lineLength = document && line < document.lineCount ? document.lineAt(line).text.length : end;
  return new vscode.Range(line, Math.min(start, lineLength), line, Math.min(end, lineLength));
}

function fixKey(range: vscode.Range, code: string): string {
  return `${range.start.line}:${range.start.character}:${code}`;
}

/**
 * Shows config problems in the Problems panel while ~/.aws/config or ~/.aws/credentials is
 * open, at the line that causes them, with quick fixes where the fix is obvious. Works on the
 * saved files (what the CLI and the extension will read), refreshed on every save.
 */
export class ConfigDiagnostics extends Disposable implements vscode.CodeActionProvider {
  private readonly collection = this._register(vscode.languages.createDiagnosticCollection('awsRoles'));
  /** uri -> diagnostic position+code -> fixes; VS Code hands code actions copies of our diagnostics, not the originals. */
  private fixes = new Map<string, Map<string, ConfigFix[]>>();

  constructor(
    private readonly catalog: ProfileCatalog,
    private readonly log: Logger,
    /** `aws --version`, asked only when a login_session profile is shown and rendered again when it answers. */
    private readonly awsCli: AwsCliCheck,
  ) {
    super();
    this._register(catalog.onDidChange((set) => this.render(set)));
    // "Open" means open in an editor tab: documents linger in memory after their tab closes.
    this._register(
      vscode.window.tabGroups.onDidChangeTabs((e) => {
        if ([...e.opened, ...e.closed].some((tab) => this.kindOfTab(tab))) void this.update();
      }),
    );
    this._register(vscode.languages.registerCodeActionsProvider({ scheme: 'file' }, this, { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }));
    if (this.openFiles().size) void this.update();
  }

  private kindOfTab(tab: vscode.Tab): ConfigFileKind | undefined {
    return tab.input instanceof vscode.TabInputText ? this.kindOf(tab.input.uri) : undefined;
  }

  /** The two files that are open in a tab, with their documents when loaded. */
  private openFiles(): Map<ConfigFileKind, { uri: vscode.Uri; document?: vscode.TextDocument }> {
    const open = new Map<ConfigFileKind, { uri: vscode.Uri; document?: vscode.TextDocument }>();
    for (const tab of vscode.window.tabGroups.all.flatMap((g) => g.tabs)) {
      const kind = this.kindOfTab(tab);
      if (!kind) continue;
      const uri = (tab.input as vscode.TabInputText).uri;
      open.set(kind, { uri, document: vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString()) });
    }
    return open;
  }

  private kindOf(uri: vscode.Uri): ConfigFileKind | undefined {
    return configFileKindOf(this.catalog.paths(), uri);
  }

  /** Re-reads through the catalog (shared with the tree) and renders. */
  async update(): Promise<void> {
    try {
      this.render(this.catalog.loaded ?? (await this.catalog.get()));
    } catch (e) {
      this.log.error('Checking the AWS config files failed', e);
    }
  }

  private render(set: ProfileSet): void {
    const open = this.openFiles();
    this.collection.clear();
    this.fixes = new Map();
    if (open.size === 0) return;

    const awsCli = this.awsCliFacts(set);
    const byFile = new Map<ConfigFileKind, vscode.Diagnostic[]>();
    for (const d of engine().diagnoseConfig(set, { awsCli })) {
      const file = open.get(d.file);
      if (!file) continue;
      const diagnostic = new vscode.Diagnostic(toRange(d, file.document), this.log.redactor.redact(d.message), SEVERITY[d.severity]);
      diagnostic.source = SOURCE;
      diagnostic.code = d.code;
      const list = byFile.get(d.file) ?? [];
      list.push(diagnostic);
      byFile.set(d.file, list);
      if (d.fixes.length) {
        const uriFixes = this.fixes.get(file.uri.toString()) ?? new Map<string, ConfigFix[]>();
        uriFixes.set(fixKey(diagnostic.range, d.code), d.fixes);
        this.fixes.set(file.uri.toString(), uriFixes);
      }
    }
    for (const [kind, file] of open) this.collection.set(file.uri, byFile.get(kind) ?? []);
  }

  /** What is known of the AWS CLI when a profile needs it; the first time, the check starts and the rule waits for it. */
  private awsCliFacts(set: ProfileSet): AwsCliFacts | undefined {
    if (![...set.profiles.values()].some((p) => p.settings.login_session)) return undefined;
    const facts = this.awsCli.peek();
    if (!facts) {
      void this.awsCli.check().then(
        () => this.update(),
        (e: unknown) => this.log.warn(`Could not run aws --version: ${errorMessage(e)}`),
      );
    }
    return facts;
  }

  provideCodeActions(document: vscode.TextDocument, range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const uriFixes = this.fixes.get(document.uri.toString());
    if (!uriFixes) return [];
    const actions: vscode.CodeAction[] = [];
    // The light bulb belongs to the whole line: a problem on a value is fixable with the cursor on its key.
    const onLines = (this.collection.get(document.uri) ?? []).filter((d) => d.range.start.line >= range.start.line && d.range.start.line <= range.end.line);
    const candidates = [...context.diagnostics, ...onLines.filter((d) => !context.diagnostics.some((c) => c.range.isEqual(d.range) && c.code === d.code))];
    for (const diagnostic of candidates) {
      if (diagnostic.source !== SOURCE) continue;
      const fixes = uriFixes.get(fixKey(diagnostic.range, String(diagnostic.code)));
      for (const fix of fixes ?? []) {
        const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
        action.diagnostics = [diagnostic];
        action.edit = new vscode.WorkspaceEdit();
        for (const edit of fix.edits) {
          if (edit.kind === 'deleteLine') action.edit.delete(document.uri, document.lineAt(edit.line).rangeIncludingLineBreak);
          else action.edit.replace(document.uri, toRange(edit, document), edit.newText);
        }
        actions.push(action);
      }
    }
    if (actions.length === 1) actions[0].isPreferred = true;
    return actions;
  }
}
