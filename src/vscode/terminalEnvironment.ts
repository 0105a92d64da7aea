import * as vscode from 'vscode';
import type { CredentialEndpoint } from '../core/delivery/credentialEndpoint';
import { EndpointSlot } from '../core/delivery/endpointSlot';
import { engine } from './lazyChunks';
import { buildSessionEnvironment, MANAGED_ENV_NAMES } from '../core/delivery/terminalEnvVars';
import type { Session } from '../core/session/session';
import type { SessionManager } from '../core/session/sessionManager';
import { Disposable, toDisposable } from './disposable';
import type { Logger } from './logger';
import type { SettingsService } from './settings';

/**
 * Puts the active session into every new integrated terminal (and task) through the
 * extension's environment variable collection: the keys themselves, or (endpoint mode) the
 * address and token of this window's loopback credential endpoint. Not persistent: expiring
 * keys must not come back into terminals restored after a reload.
 */
/** workspaceState key: the port of the endpoint terminals of this workspace were given (never the token). */
const ENDPOINT_RECORD = 'awsRoles.endpointHandedOut';
export const RELAUNCH_TERMINALS = 'Relaunch Terminals';

export class TerminalEnvironment extends Disposable {
  /** At most one live endpoint; mode changes reach it in order, so the last one wins. */
  private readonly endpoints = new EndpointSlot<CredentialEndpoint>(() => new (engine().CredentialEndpoint)(() => this.sessions.active));
  /** Every update runs after the one before it, and reads the session and mode when it runs. */
  private updates: Promise<void> = Promise.resolve();

  private warnedShadowed = false;

  constructor(
    private readonly collection: vscode.GlobalEnvironmentVariableCollection,
    private readonly sessions: SessionManager,
    private readonly settings: SettingsService,
    private readonly log: Logger,
    /** Whether a [default] profile resolves to credentials on its own (the SDKs and CLI would use it before any endpoint). */
    private readonly defaultProfileHasCredentials: () => boolean = () => false,
    private readonly workspaceState?: vscode.Memento,
  ) {
    super();
    // Read before this window hands out an endpoint of its own: what an earlier window of this workspace gave its terminals.
    const earlier = workspaceState?.get<{ port: number }>(ENDPOINT_RECORD);
    if (earlier) void this.checkStaleTerminals(earlier);
    collection.persistent = false;
    this.clear();
    this._register(sessions.onDidChange(() => this.schedule()));
    this._register(
      settings.onDidChange(({ previous, current }) => {
        if (previous.terminalCredentials === current.terminalCredentials) return;
        this.schedule();
      }),
    );
    this._register(toDisposable(() => this.clear()));
    // Stops the endpoint now, even one whose listen is pending, and refuses any later start.
    this._register(toDisposable(() => void this.endpoints.dispose()));
  }

  /** The endpoint of this window, when endpoint mode started it (tests read its counters). */
  get credentialEndpoint(): CredentialEndpoint | undefined {
    return this.endpoints.current;
  }

  private schedule(): void {
    this.updates = this.updates.then(() => this.update()).catch((e: unknown) => this.log.error('Updating the terminal environment failed', e));
  }

  private async update(): Promise<void> {
    if (this.isDisposed) return;
    const session = this.sessions.active;
    const wantEndpoint = this.settings.value.terminalCredentials === 'endpoint';
    try {
      await this.apply(session, wantEndpoint);
    } finally {
      // Terminals that still hold the token must not keep getting the role once the mode is off:
      // the variables are replaced first, then the server stops.
      if (!wantEndpoint) await this.endpoints.want(false);
    }
  }

  private async apply(session: Session | undefined, wantEndpoint: boolean): Promise<void> {
    if (!session) {
      this.clear();
      return;
    }
    let endpoint: { url: string; token: string } | undefined;
    // The AWS CLI and SDKs try a [default] profile's credentials before the container endpoint:
    // endpoint mode would then silently run as that profile, so terminals get the keys instead.
    if (wantEndpoint && this.defaultProfileHasCredentials()) {
      if (!this.warnedShadowed) {
        this.warnedShadowed = true;
        const message = 'awsRoles.terminalCredentials is "endpoint", but your [default] AWS profile has credentials of its own, which the AWS CLI and SDKs use before any endpoint. New terminals get the role\'s keys as variables instead.';
        this.log.warn(message);
        void vscode.window.showWarningMessage(message);
      }
    } else if (wantEndpoint) {
      try {
        endpoint = await this.endpoints.want(true);
      } catch (e) {
        this.log.error('The loopback credential endpoint could not start; terminals get the keys instead', e);
      }
    }
    // A change while the endpoint started has its own update queued after this one.
    if (this.isDisposed) return;
    if (endpoint) void this.workspaceState?.update(ENDPOINT_RECORD, { port: Number(new URL(endpoint.url).port) });
    const env = buildSessionEnvironment(session, endpoint);
    for (const name of MANAGED_ENV_NAMES) {
      const value = env[name];
      if (value === undefined) this.collection.delete(name);
      else this.collection.replace(name, value);
    }
    const who = session.roleName ? `role ${session.roleName} in account ${session.accountId}` : session.arn;
    const how = env.AWS_CONTAINER_CREDENTIALS_FULL_URI ? ', served from a loopback endpoint of this window' : '';
    this.collection.description = new vscode.MarkdownString(`AWS credentials for ${who} (profile \`${session.profileName}\`)${how}`);
  }

  /**
   * After a reload, terminals restored from before it still hold the old endpoint's address and
   * token in their environment; nothing listens there any more, but another local user could bind
   * the port and hand them credentials of theirs. Offer to relaunch them (which loses what runs in
   * them, so it asks). `answer` stands in for the user in tests.
   */
  async checkStaleTerminals(record: { port: number }, answer?: string): Promise<number> {
    const terminals = [...vscode.window.terminals];
    await this.workspaceState?.update(ENDPOINT_RECORD, undefined);
    if (!terminals.length) return 0;
    const message = `${terminals.length === 1 ? 'A terminal' : `${terminals.length} terminals`} from before this window reloaded may still point at the old AWS credential endpoint (port ${record.port}), which no longer runs; another local user could take that port over and hand ${terminals.length === 1 ? 'it' : 'them'} credentials of theirs. Relaunch ${terminals.length === 1 ? 'it' : 'them'} to get this window's credentials (what runs in ${terminals.length === 1 ? 'it' : 'them'} is stopped).`;
    this.log.warn(message);
    const choice = answer ?? (await vscode.window.showWarningMessage(message, RELAUNCH_TERMINALS));
    if (choice !== RELAUNCH_TERMINALS) return 0;
    for (const t of terminals) {
      const options = t.creationOptions as vscode.TerminalOptions;
      t.dispose();
      vscode.window.createTerminal({ name: t.name, cwd: options.cwd, iconPath: options.iconPath, color: options.color });
    }
    this.log.info(`Relaunched ${terminals.length} terminal(s) that held the old credential endpoint's address.`);
    return terminals.length;
  }

  /** Removes exactly the variables this extension sets; anything else in the collection is not ours to touch. */
  private clear(): void {
    for (const name of MANAGED_ENV_NAMES) this.collection.delete(name);
    this.collection.description = undefined;
  }
}
