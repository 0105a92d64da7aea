import * as vscode from 'vscode';
import type { CredentialEndpoint } from '../core/delivery/credentialEndpoint';
import { EndpointSlot } from '../core/delivery/endpointSlot';
import { engine } from './lazyChunks';
import { buildSessionEnvironment, isManagedEnvName, profileEndpointEnv } from '../core/delivery/terminalEnvVars';
import { isStale, planRelaunch, staleTerminalsMessage, terminalStartFor, type OpenTerminal, type TerminalStart } from '../core/delivery/staleTerminals';
import type { ProfileCatalog } from '../core/config/profileCatalog';
import type { Session } from '../core/session/session';
import type { SessionChangeReason, SessionManager } from '../core/session/sessionManager';
import { SETTINGS_SECTION, StateKeys } from '../constants';
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
export const USE_ENDPOINT_MODE = 'Use Endpoint Mode';
export const DONT_SHOW_AGAIN = "Don't Show Again";
export const RELAUNCH_THEM_TOO = 'Relaunch Them Too';

/** Only a switch or a drop tells terminals something new about who they are; a refresh keeps the role. */
const NOTICE_REASONS: readonly SessionChangeReason[] = ['assumed', 'dropped', 'signedOut'];

/** What the last notice about stale terminals said and what came of it (tests read it; no secret in it). */
export interface StaleTerminalsNotice {
  count: number;
  message: string;
  choice?: string;
  relaunched?: number;
  /** Names of the terminals it counted. */
  terminals: string[];
}

/** Stands in for the user in tests: the answer to the notice, and to the question about busy terminals. */
export interface StaleTerminalsAnswers {
  choice?: string;
  others?: string;
  /** The answer to the explanation after Use Endpoint Mode. */
  afterEndpoint?: string;
}

export class TerminalEnvironment extends Disposable {
  /** At most one live endpoint; mode changes reach it in order, so the last one wins. */
  private readonly endpoints = new EndpointSlot<CredentialEndpoint>(() => new (engine().CredentialEndpoint)(() => this.sessions.active));
  /** Every update runs after the one before it, and reads the session and mode when it runs. */
  private updates: Promise<void> = Promise.resolve();

  private warnedShadowed = false;
  /** What each terminal was given when it opened, as far as this window saw. */
  private readonly starts = new WeakMap<vscode.Terminal, TerminalStart>();
  /** What the collection gives new terminals now. */
  private givenNow: TerminalStart = { kind: 'none' };
  /** Terminals where shell integration says a command runs. */
  private readonly running = new Set<vscode.Terminal>();
  private noticeDue = false;
  lastNotice: StaleTerminalsNotice | undefined;
  testAnswers: StaleTerminalsAnswers | undefined;

  constructor(
    private readonly collection: vscode.GlobalEnvironmentVariableCollection,
    private readonly sessions: SessionManager,
    private readonly settings: SettingsService,
    private readonly log: Logger,
    /** Whether a [default] profile resolves to credentials on its own (the SDKs and CLI would use it before any endpoint). */
    private readonly defaultProfileHasCredentials: () => boolean = () => false,
    private readonly workspaceState?: vscode.Memento,
    /** The profiles, for the endpoints the session's profile configures; and where Don't Show Again is kept. */
    private readonly more: { catalog?: ProfileCatalog; globalState?: vscode.Memento } = {},
  ) {
    super();
    // Read before this window hands out an endpoint of its own: what an earlier window of this workspace gave its terminals.
    const earlier = workspaceState?.get<{ port: number }>(ENDPOINT_RECORD);
    if (earlier) void this.checkStaleTerminals(earlier);
    // Open before this activation (restored after a reload, or opened while the extension slept): unknown.
    for (const t of vscode.window.terminals) this.starts.set(t, { kind: 'unknown' });
    collection.persistent = false;
    this.clear();
    this._register(
      sessions.onDidChange(({ reason }) => {
        if (NOTICE_REASONS.includes(reason)) this.noticeDue = true;
        this.schedule();
      }),
    );
    // A config edit may change the endpoints the session's profile names.
    if (more.catalog) this._register(more.catalog.onDidChange(() => this.schedule()));
    this._register(vscode.window.onDidOpenTerminal((t) => this.starts.set(t, this.takesOurVariables(t) ? this.givenNow : { kind: 'none' })));
    this._register(
      vscode.window.onDidCloseTerminal((t) => {
        this.running.delete(t);
      }),
    );
    this._register(vscode.window.onDidStartTerminalShellExecution((e) => this.running.add(e.terminal)));
    this._register(vscode.window.onDidEndTerminalShellExecution((e) => this.running.delete(e.terminal)));
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
    this.updates = this.updates
      .then(() => this.update())
      .catch((e: unknown) => this.log.error('Updating the terminal environment failed', e))
      .then(() => {
        if (!this.noticeDue) return;
        this.noticeDue = false;
        // Not awaited: the notice waits for the user, later updates must not.
        if (this.settings.value.terminalCredentials === 'environment') void this.noticeStaleTerminals().catch((e: unknown) => this.log.error('The notice about open terminals failed', e));
      });
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
    const env: Record<string, string | undefined> = { ...buildSessionEnvironment(session, endpoint), ...(await this.endpointEnv(session)) };
    if (this.isDisposed) return;
    this.replaceOurs(env);
    this.given(terminalStartFor(session, Boolean(env.AWS_CONTAINER_CREDENTIALS_FULL_URI)));
    const who = session.roleName ? `role ${session.roleName} in account ${session.accountId}` : session.arn;
    const how = env.AWS_CONTAINER_CREDENTIALS_FULL_URI ? ', served from a loopback endpoint of this window' : '';
    this.collection.description = new vscode.MarkdownString(`AWS credentials for ${who} (profile \`${session.profileName}\`)${how}`);
  }

  /** The endpoints the session's profile configures, as the SDKs read them from the environment. */
  private async endpointEnv(session: Session): Promise<Record<string, string>> {
    const catalog = this.more.catalog;
    if (!catalog) return {};
    try {
      const set = catalog.loaded ?? (await catalog.get());
      const profile = set.profiles.get(session.profileName);
      return profile ? profileEndpointEnv(engine().profileEndpoints(set, profile)) : {};
    } catch (e) {
      this.log.warn(`The profile's endpoints could not be read for terminals: ${e instanceof Error ? e.message : String(e)}`);
      return {};
    }
  }

  /** Sets exactly `env` among the variables we own: ours not in it are deleted, unchanged ones left (a rewrite would mark terminals stale). */
  private replaceOurs(env: Record<string, string | undefined>): void {
    const ours: string[] = [];
    this.collection.forEach((name) => {
      if (isManagedEnvName(name)) ours.push(name);
    });
    for (const name of ours) if (env[name] === undefined) this.collection.delete(name);
    for (const [name, value] of Object.entries(env)) {
      if (value === undefined) this.collection.delete(name);
      else if (this.collection.get(name)?.value !== value || this.collection.get(name)?.type !== vscode.EnvironmentVariableMutatorType.Replace) this.collection.replace(name, value);
    }
  }

  /**
   * Records what new terminals get from now on. Terminals nobody typed in are relaunched by VS Code
   * itself when the collection changes (terminal.integrated.environmentChangesRelaunch), so they
   * get it too.
   */
  private given(now: TerminalStart): void {
    const changed = JSON.stringify(now) !== JSON.stringify(this.givenNow);
    this.givenNow = now;
    if (!changed || vscode.workspace.getConfiguration('terminal.integrated').get<boolean>('environmentChangesRelaunch') === false) return;
    for (const t of vscode.window.terminals) if (!t.state.isInteractedWith && this.takesOurVariables(t) && this.starts.has(t)) this.starts.set(t, now);
  }

  /** Whether VS Code gives this terminal the collection: not a pseudo-terminal, nor one its creator gave a strict or AWS environment of its own. */
  private takesOurVariables(t: vscode.Terminal): boolean {
    const options = t.creationOptions;
    if ('pty' in options) return false;
    if (options.strictEnv) return false;
    return !Object.keys(options.env ?? {}).some((name) => isManagedEnvName(name) || name === 'AWS_PROFILE');
  }

  private staleTerminals(): OpenTerminal<vscode.Terminal>[] {
    const stale: OpenTerminal<vscode.Terminal>[] = [];
    for (const terminal of vscode.window.terminals) {
      if (terminal.exitStatus || !this.takesOurVariables(terminal)) continue;
      // Not recorded yet: it opened just now (onDidOpenTerminal is still on its way), with what new terminals get.
      const start = this.starts.get(terminal) ?? this.givenNow;
      if (!isStale(start, this.givenNow)) continue;
      // Without shell integration, a terminal nobody typed in runs nothing; one typed in may.
      const busy = this.running.has(terminal) ? true : terminal.shellIntegration || !terminal.state.isInteractedWith ? false : undefined;
      stale.push({ terminal, start, busy });
    }
    return stale;
  }

  /**
   * After a switch or drop in environment mode: terminals opened under another identity keep it
   * (VS Code only marks their tab). Say so once, with the ways out.
   */
  private async noticeStaleTerminals(): Promise<void> {
    // One per switch, not one at a time: an earlier notice nobody answered may sit in the
    // notification center for hours, and its count is old.
    if (this.more.globalState?.get<boolean>(StateKeys.staleTerminalsDontShow)) return;
    const stale = this.staleTerminals();
    if (!stale.length) return;
    const message = staleTerminalsMessage(stale.length, this.sessions.active);
    const notice: StaleTerminalsNotice = { count: stale.length, message, terminals: stale.map((t) => t.terminal.name) };
    this.lastNotice = notice;
    this.log.info(message);
    const choice = this.testAnswers ? this.testAnswers.choice : await vscode.window.showWarningMessage(message, RELAUNCH_TERMINALS, USE_ENDPOINT_MODE, DONT_SHOW_AGAIN);
    notice.choice = choice;
    if (choice === RELAUNCH_TERMINALS) notice.relaunched = await this.relaunchStale();
    else if (choice === USE_ENDPOINT_MODE) await this.useEndpointMode();
    else if (choice === DONT_SHOW_AGAIN) await this.more.globalState?.update(StateKeys.staleTerminalsDontShow, true);
  }

  /** Relaunches the stale terminals that hold our variables and run nothing; asks before the others. */
  private async relaunchStale(): Promise<number> {
    const { now, ask } = planRelaunch(this.staleTerminals());
    let relaunched = this.relaunch(now);
    if (ask.length) {
      const question = `${ask.length === 1 ? 'One more terminal' : `${ask.length} more terminals`} may be running something, or ${ask.length === 1 ? 'was' : 'were'} not opened with this extension's variables: ${ask.map((t) => t.name).join(', ')}. Relaunch ${ask.length === 1 ? 'it' : 'them'} too? What runs in ${ask.length === 1 ? 'it' : 'them'} is stopped.`;
      const answer = this.testAnswers ? this.testAnswers.others : await vscode.window.showWarningMessage(question, { modal: true }, RELAUNCH_THEM_TOO);
      if (answer === RELAUNCH_THEM_TOO) relaunched += this.relaunch(ask.filter((t) => vscode.window.terminals.includes(t)));
    }
    this.log.info(`Relaunched ${relaunched} terminal(s) that held another identity's credentials.`);
    return relaunched;
  }

  private async useEndpointMode(): Promise<void> {
    await vscode.workspace.getConfiguration(SETTINGS_SECTION).update('terminalCredentials', 'endpoint', vscode.ConfigurationTarget.Global);
    const explanation =
      'Endpoint mode is on: terminals get the address of a credential endpoint of this window instead of keys, and every AWS CLI and SDK call there fetches the active session from it, so terminals follow every switch and refresh. The terminals open now still hold keys: relaunch them once.';
    this.log.info(explanation);
    const choice = this.testAnswers ? this.testAnswers.afterEndpoint : await vscode.window.showInformationMessage(explanation, RELAUNCH_TERMINALS);
    if (choice !== RELAUNCH_TERMINALS) return;
    // The setting's change reaches the collection through the update queue: relaunch after it.
    await this.updates;
    await this.relaunchStale();
  }

  /** A new terminal in place of each one given: same name, shell, icon, colour and (if known) working directory. */
  private relaunch(terminals: readonly vscode.Terminal[]): number {
    for (const t of terminals) {
      const options = t.creationOptions as vscode.TerminalOptions;
      // Where the shell is now, as a path: a remote window (code-server) reports it under a scheme
      // of its own (vscode-local:, vscode-remote:) that createTerminal cannot start in.
      const here = t.shellIntegration?.cwd;
      const cwd = here ? (here.scheme === 'file' ? here.fsPath : here.path) : options.cwd;
      const wasActive = vscode.window.activeTerminal === t;
      t.dispose();
      const created = vscode.window.createTerminal({ name: t.name, cwd, shellPath: options.shellPath, shellArgs: options.shellArgs, iconPath: options.iconPath, color: options.color });
      // The panel closes with its last terminal: the one the user was looking at comes back in view.
      if (wasActive) created.show(true);
    }
    return terminals.length;
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
    this.relaunch(terminals);
    this.log.info(`Relaunched ${terminals.length} terminal(s) that held the old credential endpoint's address.`);
    return terminals.length;
  }

  /** Removes exactly the variables this extension sets; anything else in the collection is not ours to touch. */
  private clear(): void {
    this.replaceOurs({});
    this.collection.description = undefined;
    this.given({ kind: 'none' });
  }
}
