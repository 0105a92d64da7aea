import * as os from 'node:os';
import * as vscode from 'vscode';
import { Commands } from '../constants';
import { errorMessage } from '../core/errors';
import type { ProfileCatalog } from '../core/config/profileCatalog';
import { Disposable } from './disposable';
import { engine } from './lazyChunks';
import type { Logger } from './logger';
import { notifyWithLog } from './notify';

/** AWS: Open AWS Config File: opens the config file, creating ~/.aws/config (mode 600) with a commented example when it is missing. */
export class ConfigCommands extends Disposable {
  constructor(
    private readonly catalog: ProfileCatalog,
    private readonly log: Logger,
  ) {
    super();
    this._register(vscode.commands.registerCommand(Commands.openConfig, () => this.openConfig()));
    this._register(vscode.commands.registerCommand(Commands.openConfigAtProfile, (profileName: unknown) => this.openConfigAtProfile(profileName)));
  }

  /** Opens the file that holds a profile's section with the cursor on its header (the config file when both do). */
  async openConfigAtProfile(profileName: unknown): Promise<boolean> {
    const name = typeof profileName === 'string' ? profileName : (profileName as { profile?: { name?: unknown } } | undefined)?.profile?.name;
    const set = await this.catalog.get().catch(() => undefined);
    const at = typeof name === 'string' && set ? engine().profileHeader(set, name) : undefined;
    if (!at) {
      await this.openConfig();
      return false;
    }
    try {
      const position = new vscode.Position(at.line, 0);
      await vscode.window.showTextDocument(vscode.Uri.file(at.path), { selection: new vscode.Range(position, position) });
      await vscode.commands.executeCommand('revealLine', { lineNumber: at.line, at: 'center' });
      return true;
    } catch (e) {
      this.log.error(`Opening ${at.path} failed`, e);
      void notifyWithLog(this.log, 'error', `Could not open ${at.path.replace(os.homedir(), '~')}: ${errorMessage(e)}`);
      return false;
    }
  }

  async openConfig(): Promise<void> {
    const configPath = this.catalog.paths().configPath;
    try {
      await engine().createConfigFileIfMissing(configPath);
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(configPath));
      await vscode.window.showTextDocument(doc);
      void vscode.commands.executeCommand(Commands.refreshProfiles);
    } catch (e) {
      this.log.error(`Opening ${configPath} failed`, e);
      void notifyWithLog(this.log, 'error', `Could not open or create ${configPath.replace(os.homedir(), '~')}: ${errorMessage(e)}`);
    }
  }
}
