import * as vscode from 'vscode';
import type { AssistSources, CompletionKind, ConfigCompletion } from '../core/config/configAssist';
import type { ConfigFileKind } from '../core/config/diagnostics';
import type { AwsFilePaths } from '../core/config/filePaths';
import type { IniRange } from '../core/config/iniDocument';
import type { ProfileCatalog } from '../core/config/profileCatalog';
import { Disposable } from './disposable';
import { engine } from './lazyChunks';
import type { Logger } from './logger';
import { KIND_LABELS } from './profileKinds';

/** Which of the two files the extension reads this is (the paths settings and AWS_CONFIG_FILE may move them); undefined for any other document. */
export function configFileKindOf(paths: AwsFilePaths, uri: vscode.Uri): ConfigFileKind | undefined {
  if (uri.scheme !== 'file') return undefined;
  if (uri.fsPath === paths.configPath) return 'config';
  if (uri.fsPath === paths.credentialsPath) return 'credentials';
  return undefined;
}

const ITEM_KINDS: Record<CompletionKind, vscode.CompletionItemKind> = {
  key: vscode.CompletionItemKind.Property,
  value: vscode.CompletionItemKind.EnumMember,
  profile: vscode.CompletionItemKind.Reference,
  ssoSession: vscode.CompletionItemKind.Reference,
  services: vscode.CompletionItemKind.Reference,
};

function toRange(range: IniRange): vscode.Range {
  return new vscode.Range(range.line, range.start, range.line, range.end);
}

/**
 * Completion and hover while ~/.aws/config or ~/.aws/credentials is edited: the keys a section
 * takes with what they mean, profile names after `source_profile =`, the values a key accepts.
 * Registered for every file and answering only for the two the extension reads, so a change of
 * the paths settings needs no new registration. The quick fixes live with the diagnostics.
 */
export class ConfigLanguage extends Disposable implements vscode.CompletionItemProvider, vscode.HoverProvider {
  constructor(
    private readonly catalog: ProfileCatalog,
    private readonly log: Logger,
  ) {
    super();
    // A space after `=` opens the value list; keys come as the user types.
    this._register(vscode.languages.registerCompletionItemProvider({ scheme: 'file' }, this, ' '));
    this._register(vscode.languages.registerHoverProvider({ scheme: 'file' }, this));
  }

  async provideCompletionItems(document: vscode.TextDocument, position: vscode.Position, _token: vscode.CancellationToken, context: vscode.CompletionContext): Promise<vscode.CompletionItem[] | undefined> {
    const kind = configFileKindOf(this.catalog.paths(), document.uri);
    if (!kind) return undefined;
    try {
      const items = engine().configCompletions(document.getText(), kind, position, await this.sources());
      // A space typed in a key is not a request for keys.
      if (context.triggerKind === vscode.CompletionTriggerKind.TriggerCharacter && items.every((i) => i.kind === 'key')) return undefined;
      return items.map((item, n) => this.toItem(item, n));
    } catch (e) {
      this.log.error('Completing in the AWS config file failed', e);
      return undefined;
    }
  }

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const kind = configFileKindOf(this.catalog.paths(), document.uri);
    if (!kind) return undefined;
    const hover = engine().configHover(document.getText(), kind, position);
    return hover && new vscode.Hover(new vscode.MarkdownString(hover.markdown), toRange(hover.range));
  }

  private toItem(item: ConfigCompletion, n: number): vscode.CompletionItem {
    const out = new vscode.CompletionItem({ label: item.label, description: item.detail }, ITEM_KINDS[item.kind]);
    out.insertText = item.insertText;
    out.range = toRange(item.range);
    if (item.documentation) out.documentation = new vscode.MarkdownString(item.documentation);
    // The order core gives (the extension's own keys first, the table's order), not alphabetical.
    out.sortText = String(n).padStart(4, '0');
    if (item.retrigger) out.command = { title: 'Suggest values', command: 'editor.action.triggerSuggest' };
    return out;
  }

  /** The names in the files as last read: profiles (not the roles only Identity Center lists), sso-sessions and services sections. */
  private async sources(): Promise<AssistSources> {
    const set = this.catalog.loaded ?? (await this.catalog.get());
    const profiles = [...set.profiles.values()].filter((p) => !p.discovered).map((p) => ({ name: p.name, detail: KIND_LABELS[p.kind] }));
    const ssoSessions = Object.keys(set.files.configSections)
      .filter((k) => k.startsWith('sso-session.'))
      .map((k) => k.slice('sso-session.'.length));
    return { profiles, ssoSessions, services: Object.keys(set.services) };
  }
}
