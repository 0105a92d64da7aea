import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AwsFilePaths } from '../core/config/sharedFiles';
import type { ProfileCatalog } from '../core/config/profileCatalog';
import { Disposable, toDisposable } from './disposable';
import type { Logger } from './logger';
import type { SettingsService } from './settings';

// Editors save in bursts (write, rename, chmod); one reload per burst is enough.
const DEBOUNCE_MS = 150;

/**
 * Reloads the profiles when ~/.aws/config or ~/.aws/credentials change, or when the
 * settings point at other files. Watches each file's folder so atomic saves
 * (write a temp file, rename over) are seen too.
 */
export class ConfigWatcher extends Disposable {
  private watchers: vscode.Disposable[] = [];
  private watched = '';
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly catalog: ProfileCatalog,
    settings: SettingsService,
    private readonly log: Logger,
  ) {
    super();
    this._register(
      settings.onDidChange(({ previous, current }) => {
        if (previous.configFile === current.configFile && previous.credentialsFile === current.credentialsFile) return;
        this.watch(catalog.paths());
        this.scheduleReload('settings changed');
      }),
    );
    this._register(toDisposable(() => this.unwatch()));
    this._register(toDisposable(() => clearTimeout(this.timer)));
    this.watch(catalog.paths());
  }

  private watch(paths: AwsFilePaths): void {
    const key = `${paths.configPath}\n${paths.credentialsPath}`;
    if (key === this.watched) return;
    this.unwatch();
    this.watched = key;
    for (const file of [paths.configPath, paths.credentialsPath]) {
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(file)), path.basename(file)));
      const reload = () => this.scheduleReload(`${file} changed`);
      this.watchers.push(watcher, watcher.onDidChange(reload), watcher.onDidCreate(reload), watcher.onDidDelete(reload));
    }
  }

  private unwatch(): void {
    for (const d of this.watchers.splice(0)) d.dispose();
    this.watched = '';
  }

  private scheduleReload(reason: string): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // Nobody has looked at profiles yet: the next reader loads fresh files anyway.
      if (!this.catalog.loaded) return;
      this.log.info(`Reloading profiles: ${reason}.`);
      this.catalog.reload().catch((e: unknown) => this.log.error('Reloading profiles failed', e));
    }, DEBOUNCE_MS);
  }
}
