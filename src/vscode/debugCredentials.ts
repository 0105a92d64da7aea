import * as vscode from 'vscode';
import { buildSessionEnvironment, profileEndpointEnv } from '../core/delivery/terminalEnvVars';
import type { ProfileCatalog } from '../core/config/profileCatalog';
import { engine } from './lazyChunks';
import type { SessionManager } from '../core/session/sessionManager';
import { Disposable } from './disposable';
import type { Logger } from './logger';
import type { SettingsService } from './settings';

const MARK = '__awsRolesProfile';

/**
 * Puts the active session into every debug launch's `env` (node, python, go, java…: they all
 * take `env`), without overriding what launch.json sets, and says in the debug console which
 * role the program runs as.
 */
export class DebugCredentials extends Disposable implements vscode.DebugConfigurationProvider {
  /** What was said in debug consoles, for tests: never a secret. */
  readonly notes: string[] = [];

  constructor(
    private readonly sessions: SessionManager,
    private readonly settings: SettingsService,
    private readonly log: Logger,
    private readonly catalog?: ProfileCatalog,
  ) {
    super();
    this._register(vscode.debug.registerDebugConfigurationProvider('*', this));
    this._register(
      vscode.debug.onDidStartDebugSession((debugSession) => {
        const profile = debugSession.configuration[MARK] as unknown;
        if (typeof profile !== 'string') return;
        const active = this.sessions.active;
        // The program got the keys as they were at launch: unlike terminals in endpoint mode, a
        // debugged process is not renewed, and some debuggers run it where the loopback endpoint is unreachable.
        const snapshot = active?.expiresAt !== undefined ? ` Its keys are a snapshot: they are not renewed and expire at ${new Date(active.expiresAt).toLocaleTimeString()}; restart the program after that.` : '';
        const note = `AWS Role Switcher: this program runs as ${active?.arn ?? 'no role'} (profile "${profile}").${snapshot}`;
        this.notes.push(note);
        vscode.debug.activeDebugConsole.appendLine(note);
      }),
    );
  }

  resolveDebugConfiguration(_folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.DebugConfiguration {
    const session = this.sessions.active;
    if (!session || !this.settings.value.debugCredentials || config.request === 'attach') return config;
    const ours: Record<string, string> = {};
    for (const [name, value] of Object.entries(buildSessionEnvironment(session))) if (value !== undefined) ours[name] = value;
    // The endpoints the profile configures, as terminals get them (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>).
    const set = this.catalog?.loaded;
    const profile = set?.profiles.get(session.profileName);
    if (set && profile) Object.assign(ours, profileEndpointEnv(engine().profileEndpoints(set, profile)));
    const users = (config.env && typeof config.env === 'object' ? config.env : {}) as Record<string, string | null>;
    // The user's launch.json wins, including a variable they set to null to unset it.
    config.env = { ...ours, ...users };
    config[MARK] = session.profileName;
    this.log.info(`Debug launch "${String(config.name ?? config.type)}" gets the AWS session of "${session.profileName}".`);
    return config;
  }
}
