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
