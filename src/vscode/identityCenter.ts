import * as vscode from 'vscode';
import { Commands, ContextKeys, SecretKeys, StateKeys } from '../constants';
import type { Clock, TimerHandle } from '../core/clock';
import type { Env } from '../core/config/filePaths';
import type { ProfileCatalog } from '../core/config/profileCatalog';
import type { ProfileSet } from '../core/config/profiles';
import { discoveredRolesOf, ssoSessionNames } from '../core/config/discoveredRoles';
import type { DiscoveryResult } from '../core/credentials/sso/discovery';
import type { RegistrationStore, StoredRegistration } from '../core/credentials/sso/signIn';
import type { SsoApis } from '../core/credentials/sso/ssoApi';
import type { SsoSession, SsoSignInTarget } from '../core/credentials/sso/ssoConfig';
import type { SsoTokenService } from '../core/credentials/sso/tokenService';
import type { CredentialSourceApi } from '../core/credentials/sourceCredentials';
import { errorMessage, RoleSwitchError } from '../core/errors';
import type { Redactor } from '../core/redact';
import type { Session } from '../core/session/session';
import { Disposable } from './disposable';
import type { DiscoveredRolesStore } from './discoveredRolesStore';
import { engine } from './lazyChunks';
import type { Logger } from './logger';
import { notifyWithLog } from './notify';
import type { SettingsService } from './settings';

export interface IdentityCenterDeps {
  context: Pick<vscode.ExtensionContext, 'secrets' | 'globalState'>;
  catalog: ProfileCatalog;
  /** The active session (read when deciding whose renewal tells about a lost sign-in). */
  activeSession: () => Session | undefined;
  settings: SettingsService;
  loadSso: (maxAttempts?: number) => Promise<SsoApis>;
  discovered: DiscoveredRolesStore;
  clock: Clock;
  env: Env;
  redactor: Redactor;
  log: Logger;
}

/** What the tree shows of a sign-in: whether there is a token, and until when. */
export interface SignInStatus {
  state: 'signedIn' | 'expired' | 'signedOut';
  expiresAt?: number;
  refreshable?: boolean;
}

/** A tree node or a command argument naming a sign-in. */
type SignInArg = string | { ssoSession?: unknown; profile?: unknown; convertTo?: unknown } | undefined;

const ONE_DAY_MS = 24 * 3600_000;
const RETRY_MS = 60_000;
/** botocore's window: a token with less left than this is renewed. */
const REFRESH_WINDOW_MS = 15 * 60_000;

/** A sign-in's key: its sso-session name, or (legacy profiles) its start URL. */
type SignInKey = { name: string; startUrl?: string } | { name?: undefined; startUrl: string };

function keyOf(session: SignInKey): string {
  return session.name !== undefined ? `session:${session.name}` : `url:${session.startUrl}`;
}

function labelOf(target: { name?: string; session?: { startUrl: string }; legacyProfiles: string[] }): string {
  return target.name ?? target.session?.startUrl ?? target.legacyProfiles.join(', ');
}

/**
 * IAM Identity Center in the editor: Sign In (authorization code with PKCE, or device code) and
 * Sign Out, the token renewed in the background before anyone needs it (in the AWS CLI's own
 * cache file, so terminals see it too), discovery of every account and role, and Write Identity
 * Center Profiles. Never opens a browser the user did not ask for: an unrenewable token gets one
 * notification with Sign In.
 */
export class IdentityCenter extends Disposable {
  private service: SsoTokenService | undefined;
  private readonly status = new Map<string, SignInStatus>();
  private readonly timers = new Map<string, TimerHandle>();
  /** Sign-ins already told about in this episode (one notification each until signed in again). */
  private readonly warned = new Map<string, string | undefined>();
  private readonly discovering = new Map<string, Promise<DiscoveryResult | undefined>>();
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;
  /** The figures of the last discovery (calls, retries, time), for the log and the test hooks. */
  lastDiscovery: (Omit<DiscoveryResult, 'accounts'> & { ssoSession: string; accounts: number; roles: number }) | undefined;
  private readonly registrations: RegistrationStore;
  /** Sign-ins told about so far (keys), for the test hooks. */
  get warnedAbout(): string[] {
    return [...this.warned.keys()];
  }
  /** Opens the authorize or verification page; the test hooks swap in a plain HTTP client that acts as the browser. */
  openUrl: (url: string) => Promise<boolean> = (url) => Promise.resolve(vscode.env.openExternal(vscode.Uri.parse(url, true)));
  /** When each sign-in's token was last renewed here, so a token that comes back still inside the window is not renewed again for a minute. */
  private readonly lastRenewal = new Map<string, number>();
  /** The access token last read per sign-in (kept in memory only, like every token the redactor knows). */
  private readonly tokenSeen = new Map<string, string | undefined>();

  constructor(private readonly d: IdentityCenterDeps) {
    super();
    this.registrations = secretRegistrationStore(d.context.secrets, d.redactor);
    this._register(vscode.commands.registerCommand(Commands.ssoSignIn, (arg?: SignInArg) => this.signIn(arg)));
    this._register(vscode.commands.registerCommand(Commands.ssoSignOut, (arg?: SignInArg) => this.signOut(arg)));
    this._register(vscode.commands.registerCommand(Commands.ssoRefreshAccounts, (arg?: SignInArg) => this.refreshAccounts(arg)));
    this._register(vscode.commands.registerCommand(Commands.ssoWriteProfiles, (arg?: SignInArg) => this.writeProfiles(arg)));
    // The token files are read when the profiles are (a view shown, a command run), not at activation.
    this._register(d.catalog.onDidChange((set) => void this.rescan(set)));
  }

  /** The token service, made on first use (its module is in the lazily loaded engine). */
  tokens(): SsoTokenService {
    this.service ??= new (engine().SsoTokenService)({
      apis: () => this.d.loadSso(),
      clock: this.d.clock,
      onSecret: (...values) => this.d.redactor.remember(...values),
      report: (problem) => {
        this.d.log.warn(problem.message);
        // Refused while the token still works: say so now (once), not only when it expires.
        if (problem.kind === 'refreshRefused') void this.tellRefused(problem.ssoSession, problem.message);
      },
    });
    return this.service;
  }

  /** The credential sources with IAM Identity Center served by this extension's token handling instead of the SDK's. */
  withSsoSource(load: () => Promise<CredentialSourceApi>): () => Promise<CredentialSourceApi> {
    return async () => {
      const base = await load();
      return {
        ...base,
        sso: async (request) => {
          const credentials = await engine().ssoRoleCredentials(this.tokens(), async () => (await this.d.loadSso()).portal, request.sso);
          this.d.redactor.remember(credentials.accessKeyId, credentials.secretAccessKey, credentials.sessionToken);
          // A switch or refresh may have renewed the token: the tree and the timers follow.
          void this.d.catalog.get().then((set) => this.rescan(set)).catch(() => undefined);
          return credentials;
        },
      };
    };
  }

  statuses(): Record<string, SignInStatus> {
    return Object.fromEntries(this.status);
  }

  /** Renews an sso-session's token now, as its timer would (the test hooks use it). */
  async renewNow(ssoSession: string): Promise<void> {
    const set = await this.d.catalog.get();
    const target = engine().listSsoSignIns(set, this.d.env).find((t) => t.name === ssoSession && t.session);
    if (target) await this.renewInBackground(target);
  }

  statusOf(session: SignInKey): SignInStatus {
    return this.status.get(keyOf(session)) ?? { state: 'signedOut' };
  }

  // ---- Sign in ----------------------------------------------------------------------------

  async signIn(arg?: SignInArg): Promise<boolean> {
    try {
      let set = await this.d.catalog.get();
      let target = await this.pickTarget(set, arg, 'signIn');
      if (target === 'create') {
        const created = await this.createSsoSession(set);
        if (!created) return false;
        set = await this.d.catalog.reload();
        target = engine().listSsoSignIns(set, this.d.env).find((t) => t.name === created);
      }
      if (!target) return false;
      if (target.name === undefined && target.session && target.legacyProfiles.length > 0) {
        const given = typeof arg === 'object' && arg ? arg.convertTo : undefined;
        const converted = given === false ? '' : typeof given === 'string' ? await this.convert(set, target, given) : await this.offerConversion(set, target);
        if (converted === undefined) return false;
        if (converted) {
          set = await this.d.catalog.reload();
          target = engine().listSsoSignIns(set, this.d.env).find((t) => t.name === converted);
          if (!target) return false;
        }
      }
      if (!target.session) {
        void notifyWithLog(this.d.log, 'error', target.problem ?? `The sign-in "${labelOf(target)}" is incomplete in the config.`);
        return false;
      }
      const session = target.session;
      const flow = session.name === undefined ? 'deviceCode' : this.flow();
      const label = labelOf(target);
      this.d.log.info(`Signing in to IAM Identity Center for ${label} (${flow === 'deviceCode' ? 'device code' : 'authorization code with PKCE'})…`);
      const apis = await this.d.loadSso();
      const token = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Signing in to IAM Identity Center (${label})`, cancellable: true },
        async (progress, cancel) => {
          const controller = new AbortController();
          const onCancel = cancel.onCancellationRequested(() => controller.abort());
          try {
            const deps = {
              oidc: apis.oidc,
              registrations: this.registrations,
              clock: this.d.clock,
              signal: controller.signal,
              timeoutMs: this.d.settings.value.ssoSignInTimeoutMinutes * 60_000,
              onSecret: (...values: (string | undefined)[]) => this.d.redactor.remember(...values),
              openUrl: async (url: string) => {
                progress.report({ message: flow === 'deviceCode' ? undefined : 'continue in your browser…' });
                return this.openUrl(url);
              },
            };
            if (flow === 'deviceCode') {
              return await engine().signInWithDeviceCode(session, {
                ...deps,
                showUserCode: async (code: string, uri: string) => {
                  await vscode.env.clipboard.writeText(code);
                  this.d.log.info(`Device code sign-in: confirm the code ${code} at ${uri}.`);
                  progress.report({ message: `confirm the code ${code} in your browser (copied to the clipboard)` });
                },
              });
            }
            return await engine().signInWithAuthorizationCode(session, deps);
          } finally {
            onCancel.dispose();
          }
        },
      );
      this.d.redactor.remember(token.accessToken, token.refreshToken, token.clientSecret);
      this.warned.delete(keyOf(session));
      this.tokens().signedIn(session);
      this.lastRenewal.delete(keyOf(session));
      await this.markSignedInHere(session, true);
      this.d.log.info(`Signed in to IAM Identity Center for ${label}; the token is valid until ${new Date(token.expiresAt).toISOString()}${token.refreshToken ? ' and renews itself' : ''}.`);
      await this.rescan(set);
      if (session.name !== undefined) {
        const found = await this.discover(session);
        if (found) void vscode.window.setStatusBarMessage(`$(pass) Signed in to ${label}: ${found.accounts.length} accounts, ${found.accounts.reduce((n, a) => n + a.roles.length, 0)} roles`, 5000);
      } else {
        void vscode.window.setStatusBarMessage(`$(pass) Signed in to ${label}`, 5000);
      }
      return true;
    } catch (e) {
      return this.failed('Signing in to IAM Identity Center', e);
    }
  }

  private flow(): 'authorizationCode' | 'deviceCode' {
    const setting = this.d.settings.value.ssoFlow;
    if (setting !== 'auto') return setting;
    // In a remote window the browser cannot reach the extension host's 127.0.0.1.
    return vscode.env.remoteName ? 'deviceCode' : 'authorizationCode';
  }

  /**
   * Legacy profiles (their own sso_start_url / sso_region): offer to convert them to an sso-session,
   * as the AWS CLI recommends (only then does the token renew itself). Resolves to the new
   * sso-session's name, '' to sign in as they are, undefined when the user cancelled.
   */
  private async offerConversion(set: ProfileSet, target: SsoSignInTarget): Promise<string | undefined> {
    const session = target.session as SsoSession;
    const convert = { label: '$(arrow-swap) Convert to an sso-session', description: 'recommended', detail: `Adds [sso-session …] to the config and sso_session to ${target.legacyProfiles.join(', ')}: the sign-in then renews itself (the AWS CLI's own advice).`, id: 'convert' };
    const asIs = { label: 'Sign in as they are', detail: 'Device code sign-in; a legacy token is not renewed and lasts about 8 hours.', id: 'asIs' };
    const picked = await vscode.window.showQuickPick([convert, asIs], { title: `IAM Identity Center: ${session.startUrl}`, placeHolder: `Profiles ${target.legacyProfiles.join(', ')} use the legacy sso_start_url keys` });
    if (!picked) return undefined;
    if (picked.id === 'asIs') return '';
    const e = engine();
    const existing = new Set(ssoSessionNames(set));
    const suggested = /^https:\/\/([\w-]+)\.awsapps\.(com|cn)\//.exec(session.startUrl)?.[1] ?? 'sso';
    const name = await vscode.window.showInputBox({
      title: 'Convert to an sso-session: name',
      prompt: `The name of the new [sso-session] section for ${session.startUrl}`,
      value: existing.has(suggested) ? '' : suggested,
      ignoreFocusOut: true,
      validateInput: (v) => e.validateSsoSessionName(v.trim(), existing),
    });
    if (name === undefined) return undefined;
    return this.convert(set, target, name.trim());
  }

  private async convert(set: ProfileSet, target: SsoSignInTarget, name: string): Promise<string> {
    const session = target.session as SsoSession;
    const existing = new Set(ssoSessionNames(set));
    await engine().convertLegacySsoProfilesInFile(set.files.paths.configPath, { name, startUrl: session.startUrl, region: session.region, scopes: 'sso:account:access' }, target.legacyProfiles, existing);
    this.d.log.info(`Converted ${target.legacyProfiles.join(', ')} to [sso-session ${name}] in ${set.files.paths.configPath}.`);
    return name;
  }

  /** No sso-session in the config: ask for the start URL and region, and append the section. */
  private async createSsoSession(set: ProfileSet): Promise<string | undefined> {
    const e = engine();
    const existing = new Set(ssoSessionNames(set));
    const startUrl = await vscode.window.showInputBox({
      title: 'Sign in to IAM Identity Center (1/3): start URL',
      prompt: 'Your AWS access portal URL',
      placeHolder: 'https://my-org.awsapps.com/start',
      ignoreFocusOut: true,
      validateInput: (v) => e.validateStartUrl(v.trim()),
    });
    if (startUrl === undefined) return undefined;
    const region = await vscode.window.showInputBox({
      title: 'Sign in to IAM Identity Center (2/3): region',
      prompt: 'The region IAM Identity Center runs in (on the portal page: Settings)',
      placeHolder: 'us-east-1',
      ignoreFocusOut: true,
      validateInput: (v) => e.validateSsoRegion(v.trim()),
    });
    if (region === undefined) return undefined;
    const suggested = /^https:\/\/([\w-]+)\.awsapps\.(com|cn)\//.exec(startUrl.trim())?.[1] ?? 'sso';
    const name = await vscode.window.showInputBox({
      title: 'Sign in to IAM Identity Center (3/3): name',
      prompt: `A name for this sign-in: written as [sso-session NAME] to ${set.files.paths.configPath}`,
      value: existing.has(suggested) ? '' : suggested,
      ignoreFocusOut: true,
      validateInput: (v) => e.validateSsoSessionName(v.trim(), existing),
    });
    if (name === undefined) return undefined;
    await e.addSsoSessionToFile(set.files.paths.configPath, { name: name.trim(), startUrl: startUrl.trim(), region: region.trim(), scopes: 'sso:account:access' }, existing);
    this.d.log.info(`Added [sso-session ${name.trim()}] to ${set.files.paths.configPath}.`);
    return name.trim();
  }

  // ---- Sign out ---------------------------------------------------------------------------

  async signOut(arg?: SignInArg): Promise<boolean> {
    try {
      const set = await this.d.catalog.get();
      const target = await this.pickTarget(set, arg, 'signOut');
      if (!target || target === 'create' || !target.session) return false;
      await this.signOutOf(target.session);
      void vscode.window.showInformationMessage(`Signed out of IAM Identity Center (${labelOf(target)}). The token is deleted; role credentials already handed out work until they expire.`);
      await this.rescan(set);
      return true;
    } catch (e) {
      return this.failed('Signing out of IAM Identity Center', e);
    }
  }

  /** AWS: Sign Out: every sign-in this extension made on this machine is signed out too. */
  async signOutAllOfOurs(): Promise<number> {
    const ours = this.signedInHere();
    if (ours.length === 0) return 0;
    const set = await this.d.catalog.get();
    let count = 0;
    for (const target of engine().listSsoSignIns(set, this.d.env)) {
      if (target.session && ours.includes(keyOf(target.session))) {
        await this.signOutOf(target.session).catch((e: unknown) => this.d.log.warn(`Could not sign out of ${labelOf(target)}: ${errorMessage(e)}`));
        count++;
      }
    }
    await this.rescan(set);
    return count;
  }

  private async signOutOf(session: SsoSession): Promise<void> {
    this.clearTimer(keyOf(session));
    await this.tokens().signOut(session);
    await this.markSignedInHere(session, false);
    this.d.log.info(`Signed out of IAM Identity Center (${session.name ?? session.startUrl}): Logout called, token file deleted.`);
  }

  private signedInHere(): string[] {
    const v = this.d.context.globalState.get<unknown>(StateKeys.ssoSignedInHere);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  }

  private async markSignedInHere(session: SsoSession, yes: boolean): Promise<void> {
    const key = keyOf(session);
    const rest = this.signedInHere().filter((k) => k !== key);
    await this.d.context.globalState.update(StateKeys.ssoSignedInHere, yes ? [...rest, key] : rest);
  }

  // ---- Accounts and roles -----------------------------------------------------------------

  async refreshAccounts(arg?: SignInArg): Promise<boolean> {
    try {
      const set = await this.d.catalog.get();
      const target = await this.pickTarget(set, arg, 'discover');
      if (!target || target === 'create' || !target.session) return false;
      const found = await this.discover(target.session);
      return found !== undefined;
    } catch (e) {
      return this.failed('Listing the Identity Center accounts', e);
    }
  }

  /** Lists every account and role of a signed-in sso-session and remembers them; one run per session at a time. */
  private discover(session: SsoSession): Promise<DiscoveryResult | undefined> {
    const name = session.name;
    if (name === undefined) return Promise.resolve(undefined);
    let running = this.discovering.get(name);
    if (!running) {
      running = Promise.resolve(
        vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Listing the accounts and roles of "${name}"`, cancellable: true }, async (progress, cancel) => {
          const controller = new AbortController();
          const onCancel = cancel.onCancellationRequested(() => controller.abort());
          try {
            const token = await this.tokens().getToken(session);
            // Discovery retries throttling itself, with its own budget; the SDK makes one attempt per call.
            const { portal } = await this.d.loadSso(1);
            const result = await engine().discoverAccountsAndRoles(portal, { region: session.region, endpoint: session.endpoints?.portal, signal: controller.signal }, token.accessToken, {
              ssoSession: name,
              signal: controller.signal,
              onProgress: (done, total) => progress.report({ message: `${done} of ${total} accounts` }),
            });
            await this.d.discovered.put({ ssoSession: name, startUrl: session.startUrl, ssoRegion: session.region, discoveredAt: this.d.clock.now(), accounts: result.accounts });
            const roles = result.accounts.reduce((n, a) => n + a.roles.length, 0);
            this.lastDiscovery = { ssoSession: name, calls: result.calls, retries: result.retries, throttled: result.throttled, elapsedMs: result.elapsedMs, accounts: result.accounts.length, roles };
            this.d.log.info(`Identity Center "${name}": ${result.accounts.length} accounts, ${roles} roles (${result.calls} calls, ${result.retries} retries, ${result.throttled} throttled, ${Math.round(result.elapsedMs)} ms).`);
            for (const a of result.accounts) if (a.rolesError) this.d.log.warn(`Identity Center "${name}": the roles of account ${a.accountId} could not be listed (${a.rolesError}).`);
            await this.d.catalog.reload();
            return result;
          } finally {
            onCancel.dispose();
          }
        }),
      )
        .then(
          (r) => r,
          (e: unknown) => {
            if (e instanceof RoleSwitchError && e.code === 'Superseded') return undefined;
            throw e;
          },
        )
        .finally(() => this.discovering.delete(name));
      this.discovering.set(name, running);
    }
    return running;
  }

  async writeProfiles(arg?: SignInArg): Promise<boolean> {
    try {
      const set = await this.d.catalog.get();
      const target = await this.pickTarget(set, arg, 'write');
      if (!target || target === 'create' || !target.session?.name) return false;
      const name = target.session.name;
      let cache = this.d.discovered.get(name);
      if (!cache) {
        await this.discover(target.session);
        cache = this.d.discovered.get(name);
      }
      if (!cache) return false;
      const e = engine();
      const template = this.d.settings.value.ssoProfileNameTemplate;
      const problem = e.validateProfileNameTemplate(template);
      if (problem) {
        void notifyWithLog(this.d.log, 'error', `The setting awsRoles.sso.profileNameTemplate ("${template}") cannot be used: ${problem}`);
        return false;
      }
      const roles = discoveredRolesOf(cache);
      const unlisted = cache.accounts.filter((a) => a.rolesError).map((a) => a.accountId);
      const summary = await e.writeIdentityCenterProfiles(set.files.paths.configPath, name, roles, { template, unlistedAccounts: unlisted, credentialsProfiles: new Set(Object.keys(set.files.credentialsSections)) });
      const parts = [`${summary.added.length} added`, `${summary.updated.length} updated`, `${summary.removed.length} removed`];
      if (summary.skipped.length) parts.push(`${summary.skipped.length} skipped (names taken by your own profiles: ${summary.skipped.map((s) => s.name).slice(0, 5).join(', ')}${summary.skipped.length > 5 ? ', …' : ''})`);
      this.d.log.info(`Write Identity Center Profiles for "${name}": ${parts.join(', ')}.`);
      await this.d.catalog.reload();
      const open = 'Open Config';
      void Promise.resolve(vscode.window.showInformationMessage(`Identity Center profiles of "${name}" in ${set.files.paths.configPath}: ${parts.join(', ')}.`, open)).then((choice) => (choice === open ? vscode.commands.executeCommand(Commands.openConfig) : undefined));
      return true;
    } catch (e) {
      return this.failed('Writing the Identity Center profiles', e);
    }
  }

  // ---- Token status and background renewal -------------------------------------------------

  /** Reads each sign-in's token file (status for the tree) and arms its renewal 15 minutes before expiry. */
  async rescan(set: ProfileSet): Promise<void> {
    const targets = engine().listSsoSignIns(set, this.d.env);
    const seen = new Set<string>();
    const now = this.d.clock.now();
    for (const target of targets) {
      if (!target.session) continue;
      const key = keyOf(target.session);
      seen.add(key);
      const token = await engine()
        .readToken(engine().tokenFilePath(target.session))
        .catch(() => undefined);
      if (token) this.d.redactor.remember(token.accessToken, token.refreshToken, token.clientSecret);
      this.tokenSeen.set(key, token?.accessToken);
      const status: SignInStatus = !token ? { state: 'signedOut' } : token.expiresAt > now ? { state: 'signedIn', expiresAt: token.expiresAt, refreshable: Boolean(token.refreshToken && target.session.name !== undefined) } : { state: 'expired', expiresAt: token.expiresAt };
      this.status.set(key, status);
      // A token other than the one told about (a sign-in here or with the AWS CLI) ends the episode.
      if (this.warned.has(key) && token?.accessToken !== this.warned.get(key)) this.warned.delete(key);
      this.schedule(target, status);
    }
    for (const key of [...this.status.keys()]) {
      if (!seen.has(key)) {
        this.status.delete(key);
        this.clearTimer(key);
      }
    }
    void vscode.commands.executeCommand('setContext', ContextKeys.ssoSignedIn, [...this.status.values()].some((s) => s.state === 'signedIn'));
    this.changed.fire();
  }

  private schedule(target: SsoSignInTarget, status: SignInStatus): void {
    const session = target.session as SsoSession;
    const key = keyOf(session);
    this.clearTimer(key);
    if (status.state !== 'signedIn' || status.expiresAt === undefined) return;
    const now = this.d.clock.now();
    // Renewable: 15 minutes before expiry. Not renewable: at expiry, to say so once (only for a token that was valid while this window watched it).
    const at = status.refreshable ? Math.max(status.expiresAt - REFRESH_WINDOW_MS, (this.lastRenewal.get(key) ?? -Infinity) + RETRY_MS) : status.expiresAt;
    const delay = Math.min(ONE_DAY_MS, Math.max(1000, at - now));
    this.timers.set(
      key,
      this.d.clock.setTimeout(() => {
        this.timers.delete(key);
        void this.renewInBackground(target);
      }, delay),
    );
  }

  private async renewInBackground(target: SsoSignInTarget): Promise<void> {
    const session = target.session as SsoSession;
    const key = keyOf(session);
    // The file is read again (the CLI may have renewed it meanwhile); a token with more than 15 minutes left is left as it is.
    this.lastRenewal.set(key, this.d.clock.now());
    try {
      const token = await this.tokens().getToken(session);
      this.d.log.info(`IAM Identity Center (${labelOf(target)}): the token is valid until ${new Date(token.expiresAt).toISOString()}.`);
      if (token.expiresAt - this.d.clock.now() < REFRESH_WINDOW_MS && token.refreshable) {
        // Still inside the window: the renewal did not happen (a transient failure); try again in a minute.
        this.timers.set(key, this.d.clock.setTimeout(() => void this.renewInBackground(target), RETRY_MS));
        return;
      }
    } catch (e) {
      if (e instanceof RoleSwitchError && e.code === 'SsoSignInRequired') {
        await this.rescan(await this.d.catalog.get());
        this.tellSignInNeeded(target, errorMessage(e));
        return;
      }
      this.d.log.warn(`Renewing the IAM Identity Center token of ${labelOf(target)} failed: ${errorMessage(e)}`);
      this.timers.set(key, this.d.clock.setTimeout(() => void this.renewInBackground(target), RETRY_MS));
      return;
    }
    await this.rescan(await this.d.catalog.get());
  }

  private async tellRefused(ssoSession: string | undefined, message: string): Promise<void> {
    const set = this.d.catalog.loaded ?? (await this.d.catalog.get());
    const target = engine().listSsoSignIns(set, this.d.env).find((t) => t.name === ssoSession && t.session);
    if (target) this.tellSignInNeeded(target, `${message} Sign in again before it expires.`);
  }

  /** One notification per episode; none when the active session depends on it (its own renewal says so, with the lock). */
  private tellSignInNeeded(target: SsoSignInTarget, message: string): void {
    const key = keyOf(target.session as SsoSession);
    if (this.warned.has(key) || this.activeDependsOn(target)) return;
    this.warned.set(key, this.tokenSeen.get(key));
    const signIn = 'Sign In';
    void notifyWithLog(this.d.log, 'warning', message, signIn).then((choice) => (choice === signIn ? this.signIn(target.name !== undefined ? { ssoSession: target.name } : { profile: target.legacyProfiles[0] }) : undefined));
  }

  private activeDependsOn(target: SsoSignInTarget): boolean {
    const active = this.d.activeSession();
    const set = this.d.catalog.loaded;
    if (!active || !set) return false;
    const root = set.profiles.get(active.chain[active.chain.length - 1]);
    if (!root) return false;
    return target.name !== undefined ? root.settings.sso_session === target.name : target.legacyProfiles.includes(root.name);
  }

  private clearTimer(key: string): void {
    const t = this.timers.get(key);
    if (t) this.d.clock.clearTimeout(t);
    this.timers.delete(key);
  }

  // ---- Picking a sign-in ------------------------------------------------------------------

  private async pickTarget(set: ProfileSet, arg: SignInArg, purpose: 'signIn' | 'signOut' | 'discover' | 'write'): Promise<SsoSignInTarget | 'create' | undefined> {
    const all = engine().listSsoSignIns(set, this.d.env);
    const wanted = typeof arg === 'string' ? { ssoSession: arg } : arg && typeof arg === 'object' ? arg : undefined;
    if (wanted) {
      const byName = typeof wanted.ssoSession === 'string' ? all.find((t) => t.name === wanted.ssoSession) : undefined;
      const profileName = typeof wanted.profile === 'string' ? wanted.profile : undefined;
      const byProfile = profileName ? all.find((t) => t.legacyProfiles.includes(profileName) || (t.name !== undefined && set.profiles.get(profileName)?.settings.sso_session === t.name)) : undefined;
      const found = byName ?? byProfile;
      if (found) return found;
      throw new RoleSwitchError(`There is no IAM Identity Center sign-in ${typeof wanted.ssoSession === 'string' ? `"${wanted.ssoSession}"` : `for profile "${profileName ?? '?'}"`} in ${set.files.paths.configPath}.`, 'InvalidProfile');
    }
    const candidates = purpose === 'signIn' ? all : purpose === 'signOut' ? all.filter((t) => t.session && this.statusOf(t.session).state !== 'signedOut') : all.filter((t) => t.name !== undefined && t.session);
    if (candidates.length === 0) {
      if (purpose === 'signIn') return 'create';
      void vscode.window.showInformationMessage(purpose === 'signOut' ? 'No IAM Identity Center sign-in to sign out of.' : 'No sso-session in the AWS config: run "AWS: Sign In to IAM Identity Center" first.');
      return undefined;
    }
    if (candidates.length === 1) return candidates[0];
    const items = candidates.map((t) => {
      const status = t.session ? this.statusOf(t.session) : undefined;
      return {
        label: t.name ?? t.session?.startUrl ?? '?',
        description: t.name !== undefined ? t.session?.startUrl : `legacy profiles: ${t.legacyProfiles.join(', ')}`,
        detail: t.problem ?? (status?.state === 'signedIn' ? `signed in until ${new Date(status.expiresAt ?? 0).toLocaleTimeString()}` : status?.state === 'expired' ? 'sign-in expired' : 'not signed in'),
        target: t,
      };
    });
    const picked = await vscode.window.showQuickPick(items, { title: 'IAM Identity Center', placeHolder: purpose === 'signIn' ? 'Sign in to…' : purpose === 'signOut' ? 'Sign out of…' : 'Which sso-session?' });
    return picked?.target;
  }

  private failed(what: string, e: unknown): false {
    if (e instanceof RoleSwitchError && (e.code === 'SsoSignInCancelled' || e.code === 'Superseded')) {
      this.d.log.info(`${what}: cancelled.`);
      return false;
    }
    this.d.log.error(`${what} failed`, e);
    void notifyWithLog(this.d.log, 'error', errorMessage(e));
    return false;
  }

  override dispose(): void {
    for (const key of [...this.timers.keys()]) this.clearTimer(key);
    super.dispose();
  }
}

/** This extension's OIDC client registrations in SecretStorage (their client secrets are secrets); a lost concurrent write only costs a new RegisterClient. */
function secretRegistrationStore(secrets: vscode.SecretStorage, redactor: Redactor): RegistrationStore {
  const read = async (): Promise<Record<string, StoredRegistration>> => {
    try {
      const data = JSON.parse((await secrets.get(SecretKeys.ssoRegistrations)) ?? '{}') as Record<string, unknown>;
      const out: Record<string, StoredRegistration> = {};
      for (const [key, raw] of Object.entries(data)) {
        const r = raw as Partial<StoredRegistration> | undefined;
        if (!r || typeof r.clientId !== 'string' || typeof r.clientSecret !== 'string' || typeof r.expiresAt !== 'number' || typeof r.startUrl !== 'string' || typeof r.region !== 'string') continue;
        redactor.remember(r.clientSecret);
        out[key] = r as StoredRegistration;
      }
      return out;
    } catch {
      return {};
    }
  };
  return {
    get: async (key) => (await read())[key],
    put: async (key, registration) => {
      redactor.remember(registration.clientSecret);
      const all = await read();
      all[key] = registration;
      const now = Date.now();
      for (const [k, r] of Object.entries(all)) if (r.expiresAt <= now) delete all[k];
      await secrets.store(SecretKeys.ssoRegistrations, JSON.stringify(all));
    },
    delete: async (key) => {
      const all = await read();
      if (!(key in all)) return;
      delete all[key];
      await secrets.store(SecretKeys.ssoRegistrations, JSON.stringify(all));
    },
  };
}
