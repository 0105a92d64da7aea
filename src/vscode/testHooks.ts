import * as vscode from 'vscode';
import { SECRET_ENV_NAMES } from '../core/redact';
import type { SessionManager } from '../core/session/sessionManager';
import { cliSignInProcess } from '../core/credentials/cliSignIn';
import type { ProfileTreeProvider, TreeSnapshotNode } from './profileTree';
import type { SecretSessionStore } from './secretSessionStore';
import type { SessionCommands } from './sessionCommands';
import type { SessionSync } from './sessionSync';
import type { StaleTerminalsAnswers, StaleTerminalsNotice, TerminalEnvironment } from './terminalEnvironment';
import { cliSignInFailureMessage, runCliSignInInTerminal, type CliSignInOutcome } from './cliSignInTerminal';
import type { IdentityStatusBar } from './statusBar';
import { currentMfaPrompt, currentQuickPick } from './prompts';
import type { IdentityCenter, SignInStatus } from './identityCenter';
import * as http from 'node:http';
import { windowUi, type AddRoleProfile } from './addRoleProfile';
import { ScriptedUi, type AskedPrompt, type ScriptedAnswer } from './scriptedUi';
import { StateKeys } from '../constants';

/** Set in the extension host's environment by the test harness; the shipped extension never registers these commands. */
export const TEST_HOOKS_ENV = 'AWS_ROLES_TEST_HOOKS';

/** Test-only query of internal state; not in the manifest. */
export const INSPECT_STATE_COMMAND = 'awsRoles.inspectState';

/** Test-only: runs the Sign In button's terminal with a given executable (a stand-in for `aws`) and arguments. */
export const RUN_CLI_SIGN_IN_COMMAND = 'awsRoles.test.runCliSignIn';

/** Test-only: AWS: Assume Role with the answer to a Sign In offer given (true: Sign In), waiting for the sign-in and the retry. */
export const ASSUME_WITH_SIGN_IN_ANSWER_COMMAND = 'awsRoles.test.assumeWithSignInAnswer';

/** Test-only: runs the restore a reload runs (only when no session is active), and returns the restored profile. */
export const RESTORE_COMMAND = 'awsRoles.test.restore';

/** Test-only: runs the after-reload check for terminals holding an old endpoint address, with the user's answer given; returns how many were relaunched. */
export const CHECK_STALE_TERMINALS_COMMAND = 'awsRoles.test.checkStaleEndpointTerminals';

/** Test-only: answers the next notices about terminals that keep the old role (undefined: the real notification), and returns the last one shown. */
export const STALE_TERMINALS_NOTICE_COMMAND = 'awsRoles.test.staleTerminalsNotice';

/** Test-only: replaces (or with undefined deletes) one of this extension's secrets, as another window would write it; returns the old text. */
export const WRITE_SECRET_COMMAND = 'awsRoles.test.writeSecret';

/** Test-only: makes IAM Identity Center sign-in open pages with a plain HTTP client that follows one redirect (the authorize page to the loopback callback, or the device verification page), as a browser would; returns nothing. */
export const SSO_HTTP_BROWSER_COMMAND = 'awsRoles.test.ssoHttpBrowser';

/** Test-only: sets the tree's filter as AWS: Filter Profiles would. */
export const SET_FILTER_COMMAND = 'awsRoles.test.setFilter';

/** Test-only: runs the background renewal of an sso-session's token now. */
export const SSO_RENEW_COMMAND = 'awsRoles.test.ssoRenew';

/** Test-only: the MFA prompt open now (title, prompt, placeholder, validation message), after setting its value if one is given; undefined when none is open. */
export const MFA_PROMPT_COMMAND = 'awsRoles.test.mfaPrompt';

/** Test-only: the quick pick open now (title and rows), after making the first row whose label includes the given text the active one; undefined when none is open. */
export const QUICK_PICK_COMMAND = 'awsRoles.test.quickPick';

/** Test-only: the status bar item's text, tooltip and click command, and the last "Renewed" status bar message. */
export const STATUS_BAR_ITEM_COMMAND = 'awsRoles.test.statusBarItem';
/** Test-only: AWS: Add Role Profile answered from a script (`ScriptedAnswer[]`); returns the profile added and every prompt asked, after the follow-up notifications. */
export const ADD_ROLE_PROFILE_SCRIPTED_COMMAND = 'awsRoles.test.addRoleProfile';

/** What the inspect command returns to tests: state only, never a secret. */
export interface InspectSnapshot {
  active?: { profileName: string; arn: string; accountId: string; roleName?: string; sessionName?: string; expiresAt?: number; accessKeyId: string; region: string };
  statusBar: { text: string; state: string };
  recent: string[];
  switching: boolean;
  tree: TreeSnapshotNode[];
  treeMessage?: string;
  /** The terminal environment: names to values, with secret values replaced by `<set>`. */
  terminalEnv: Record<string, string>;
  filter: string;
  /** Where VS Code keeps this extension's log and state, so tests can search them for secrets. */
  storage: { logDir: string; globalStorage: string; workspaceStorage?: string };
  lastFailure?: string;
  /** The access key id (not a secret) of this window's session kept in SecretStorage, to prove a failure left it alone. */
  storedSessionKeyId?: string;
  /** This window's key (a hash of remote and workspace); its session is stored under `awsRoles.windowSession.<windowKey>`. */
  windowKey: string;
  /** This window's remote key, and its writer id (per activation). */
  remote: string;
  writer: string;
  /** What was said in debug consoles about the role a program runs as. */
  debugNotes?: string[];
  /** The console page the last "Open Console as Role" opened (not the URL, which holds a token). */
  consoleDestination?: string;
  identityCenter: {
    /** Per sign-in key (`session:NAME` or `url:START_URL`): signed in or not, until when. */
    status: Record<string, SignInStatus>;
    /** Sign-ins a "Sign In" notification was shown for. */
    warned: string[];
    lastDiscovery?: IdentityCenter['lastDiscovery'];
    /** Pages the HTTP browser of the test hooks opened: origin and path only. */
    opened: string[];
  };
}

export interface TestHookSources {
  terminalEnvironment: TerminalEnvironment;
  context: vscode.ExtensionContext;
  sessions: SessionManager;
  store: SecretSessionStore;
  sync: SessionSync;
  sessionCommands: SessionCommands;
  tree: ProfileTreeProvider;
  statusBar: IdentityStatusBar;
  debugNotes: () => string[];
  identityCenter: IdentityCenter;
  consoleDestination: () => string | undefined;
  renewedMessage: () => string | undefined;
  addRoleProfile: AddRoleProfile;
}

/** Registers the inspect command when the test environment variable is set; otherwise nothing. */
export function registerTestHooks(env: NodeJS.ProcessEnv, sources: TestHookSources): vscode.Disposable | undefined {
  if (env[TEST_HOOKS_ENV] !== '1') return undefined;
  return vscode.Disposable.from(
    vscode.commands.registerCommand(INSPECT_STATE_COMMAND, () => inspect(sources)),
    vscode.commands.registerCommand(RUN_CLI_SIGN_IN_COMMAND, async (executable: string, args: string[]): Promise<CliSignInOutcome & { message?: string }> => {
      const outcome = await runCliSignInInTerminal(cliSignInProcess(args, executable));
      return { ...outcome, message: cliSignInFailureMessage(outcome, args) };
    }),
    vscode.commands.registerCommand(ASSUME_WITH_SIGN_IN_ANSWER_COMMAND, (profileName: string, signIn: boolean) => sources.sessionCommands.assume(profileName, { signIn })),
    vscode.commands.registerCommand(CHECK_STALE_TERMINALS_COMMAND, (port: number, answer: string) => sources.terminalEnvironment.checkStaleTerminals({ port }, answer)),
    vscode.commands.registerCommand(STALE_TERMINALS_NOTICE_COMMAND, async (answers?: StaleTerminalsAnswers | null, options?: { forget?: boolean; showAgain?: boolean }): Promise<StaleTerminalsNotice | undefined> => {
      const last = sources.terminalEnvironment.lastNotice;
      if (answers !== null) sources.terminalEnvironment.testAnswers = answers;
      if (options?.forget) sources.terminalEnvironment.lastNotice = undefined;
      if (options?.showAgain) await sources.context.globalState.update(StateKeys.staleTerminalsDontShow, undefined);
      return last;
    }),
    vscode.commands.registerCommand(RESTORE_COMMAND, async () => (await sources.sync.restore())?.profileName),
    vscode.commands.registerCommand(SSO_HTTP_BROWSER_COMMAND, (options?: { delayMs?: number }) => {
      const visit = async (url: string) => {
        const first = new URL(url);
        opened.push(`${first.origin}${first.pathname}`);
        const location = await httpGet(url);
        if (location) {
          const next = new URL(location, url);
          opened.push(`${next.origin}${next.pathname}`);
          await httpGet(next.toString());
        }
      };
      sources.identityCenter.openUrl = async (url) => {
        // A user who takes a while: the page is visited later, in the background, while sign-in waits (and polls).
        if (options?.delayMs) setTimeout(() => void visit(url).catch(() => undefined), options.delayMs);
        else await visit(url);
        return true;
      };
    }),
    vscode.commands.registerCommand(MFA_PROMPT_COMMAND, (value?: string) => {
      const box = currentMfaPrompt();
      if (!box) return undefined;
      if (value !== undefined) box.value = value;
      const message = box.validationMessage;
      return { title: box.title, prompt: box.prompt, placeholder: box.placeholder, value: box.value, validationMessage: typeof message === 'string' ? message : message?.message };
    }),
    vscode.commands.registerCommand(QUICK_PICK_COMMAND, (activate?: string) => {
      const pick = currentQuickPick();
      if (!pick) return undefined;
      const target = activate === undefined ? undefined : pick.items.find((i) => i.kind !== vscode.QuickPickItemKind.Separator && i.label.includes(activate));
      if (target) pick.activeItems = [target];
      return {
        title: pick.title,
        active: pick.activeItems[0]?.label,
        items: pick.items.map((i) => ({ label: i.label, description: i.description, detail: i.detail, separator: i.kind === vscode.QuickPickItemKind.Separator })),
      };
    }),
    vscode.commands.registerCommand(STATUS_BAR_ITEM_COMMAND, () => ({ text: sources.statusBar.text, state: sources.statusBar.currentState, ...sources.statusBar.details, renewedMessage: sources.renewedMessage() })),
    vscode.commands.registerCommand(ADD_ROLE_PROFILE_SCRIPTED_COMMAND, async (answers: ScriptedAnswer[]): Promise<{ name?: string; asked: AskedPrompt[] }> => {
      const ui = new ScriptedUi([...answers], windowUi.assume);
      const run = await sources.addRoleProfile.add(undefined, ui);
      await run.followUp;
      return { name: run.name, asked: ui.asked };
    }),
    vscode.commands.registerCommand(SET_FILTER_COMMAND, (filter: string) => sources.tree.setFilter(filter)),
    vscode.commands.registerCommand(SSO_RENEW_COMMAND, (ssoSession: string) => sources.identityCenter.renewNow(ssoSession)),
    vscode.commands.registerCommand(WRITE_SECRET_COMMAND, async (key: string, value: string | undefined) => {
      const old = await sources.context.secrets.get(key);
      await (value === undefined ? sources.context.secrets.delete(key) : sources.context.secrets.store(key, value));
      return old;
    }),
  );
}

const opened: string[] = [];

/** One GET, no redirects followed; resolves to the Location of a redirect. */
function httpGet(url: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode !== undefined && res.statusCode >= 300 && res.statusCode < 400 ? res.headers.location : undefined));
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`GET ${new URL(url).origin} timed out`)));
  });
}

async function inspect(d: TestHookSources): Promise<InspectSnapshot> {
  const s = d.sessions.active;
  const terminalEnv: Record<string, string> = {};
  d.context.environmentVariableCollection.forEach((name, mutator) => {
    terminalEnv[name] = SECRET_ENV_NAMES.has(name) && name !== 'AWS_ACCESS_KEY_ID' ? '<set>' : mutator.value;
  });
  return {
    debugNotes: d.debugNotes(),
    identityCenter: { status: d.identityCenter.statuses(), warned: d.identityCenter.warnedAbout, lastDiscovery: d.identityCenter.lastDiscovery, opened: [...opened] },
    consoleDestination: d.consoleDestination(),
    lastFailure: d.sessionCommands.lastFailure,
    storedSessionKeyId: (await d.store.readOwnEntry())?.session.credentials.accessKeyId,
    windowKey: d.store.windowKey,
    remote: d.store.remote,
    writer: d.store.windowId,
    tree: await d.tree.snapshot(),
    treeMessage: d.tree.message,
    terminalEnv,
    filter: d.tree.filterText,
    storage: { logDir: d.context.logUri.fsPath, globalStorage: d.context.globalStorageUri.fsPath, workspaceStorage: d.context.storageUri?.fsPath },
    active: s && {
      profileName: s.profileName,
      arn: s.arn,
      accountId: s.accountId,
      roleName: s.roleName,
      sessionName: s.sessionName,
      expiresAt: s.expiresAt,
      accessKeyId: s.credentials.accessKeyId,
      region: s.region,
    },
    statusBar: { text: d.statusBar.text, state: d.statusBar.currentState },
    recent: d.sessionCommands.recent,
    switching: d.sessions.switching,
  };
}
