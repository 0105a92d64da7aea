import * as vscode from 'vscode';
import { diagnoseConfig, isLineDelete, type ConfigDiagnostic, type ConfigEdit, type ConfigFileKind, type ConfigFix } from '../core/configDiagnostics';
import type { ProfileCatalog } from '../core/profileCatalog';
import type { ProfileSet } from '../core/profiles';
import { Disposable } from './disposable';
import type { Logger } from './logger';

const SOURCE = 'AWS Role Switcher';

const SEVERITY: Record<ConfigDiagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

function toRange(edit: Pick<ConfigEdit, 'range'>, document: vscode.TextDocument | undefined): vscode.Range {
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
  ) {
    super();
    this._register(catalog.onDidChange((set) => this.render(set)));
    this._register(vscode.workspace.onDidOpenTextDocument((doc) => this.onDocument(doc)));
    this._register(vscode.workspace.onDidCloseTextDocument((doc) => this.onDocument(doc)));
    this._register(vscode.languages.registerCodeActionsProvider({ scheme: 'file' }, this, { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }));
    if (vscode.workspace.textDocuments.some((d) => this.kindOf(d.uri))) void this.update();
  }

  private kindOf(uri: vscode.Uri): ConfigFileKind | undefined {
    if (uri.scheme !== 'file') return undefined;
    const paths = this.catalog.paths();
    if (uri.fsPath === paths.configPath) return 'config';
    if (uri.fsPath === paths.credentialsPath) return 'credentials';
    return undefined;
  }

  private onDocument(doc: vscode.TextDocument): void {
    if (this.kindOf(doc.uri)) void this.update();
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
    const open = new Map<ConfigFileKind, vscode.TextDocument>();
    for (const doc of vscode.workspace.textDocuments) {
      const kind = this.kindOf(doc.uri);
      if (kind && !doc.isClosed) open.set(kind, doc);
    }
    this.collection.clear();
    this.fixes = new Map();
    if (open.size === 0) return;

    const byFile = new Map<ConfigFileKind, vscode.Diagnostic[]>();
    for (const d of diagnoseConfig(set)) {
      const doc = open.get(d.file);
      if (!doc) continue;
      const diagnostic = new vscode.Diagnostic(toRange(d, doc), d.message, SEVERITY[d.severity]);
      diagnostic.source = SOURCE;
      diagnostic.code = d.code;
      const list = byFile.get(d.file) ?? [];
      list.push(diagnostic);
      byFile.set(d.file, list);
      if (d.fixes.length) {
        const uriFixes = this.fixes.get(doc.uri.toString()) ?? new Map<string, ConfigFix[]>();
        uriFixes.set(fixKey(diagnostic.range, d.code), d.fixes);
        this.fixes.set(doc.uri.toString(), uriFixes);
      }
    }
    for (const [kind, doc] of open) this.collection.set(doc.uri, byFile.get(kind) ?? []);
  }

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const uriFixes = this.fixes.get(document.uri.toString());
    if (!uriFixes) return [];
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      if (diagnostic.source !== SOURCE) continue;
      const fixes = uriFixes.get(fixKey(diagnostic.range, String(diagnostic.code)));
      for (const fix of fixes ?? []) {
        const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
        action.diagnostics = [diagnostic];
        action.edit = new vscode.WorkspaceEdit();
        for (const edit of fix.edits) {
          if (isLineDelete(edit)) action.edit.delete(document.uri, document.lineAt(edit.range.line).rangeIncludingLineBreak);
          else action.edit.replace(document.uri, toRange(edit, document), edit.newText);
        }
        actions.push(action);
      }
    }
    if (actions.length === 1) actions[0].isPreferred = true;
    return actions;
  }
}
