import * as vscode from 'vscode';
import { SETTINGS_SECTION } from '../constants';
import { Disposable } from './disposable';
import { Emitter } from '../core/events';
import type { TerminalCredentialsMode } from '../core/delivery/refreshLead';
import { DEFAULT_IDENTITY_FORMAT } from '../core/session/identityLabel';

/** Mirrors `contributes.configuration` in package.json; read in this one place. */
export interface Settings {
  configFile: string;
  credentialsFile: string;
  warningMinutes: number;
  sessionName: string;
  stsTimeoutSeconds: number;
  autoRefresh: boolean;
  refreshMinutesBefore: number;
  mfaSession: boolean;
  mfaSessionHours: number;
  useCliCache: boolean;
  writeCliCache: boolean;
  terminalCredentials: TerminalCredentialsMode;
  clipboardClearSeconds: number;
  consoleStartPage: string;
  consoleRegion: string;
  consoleFederationEndpoint: string;
  debugCredentials: boolean;
  autoAssumeWorkspaceProfile: boolean;
  ssoFlow: SsoFlowSetting;
  ssoProfileNameTemplate: string;
  ssoSignInTimeoutMinutes: number;
  /** `awsRoles.statusBar.format`: placeholders {profile} {role} {account} {accountId}. */
  statusBarFormat: string;
  /** Account ids to names (`awsRoles.accountNames`), as written. */
  accountNames: Readonly<Record<string, unknown>>;
}

/** `awsRoles.sso.flow`: how Sign In to IAM Identity Center signs in. */
export type SsoFlowSetting = 'auto' | 'authorizationCode' | 'deviceCode';

const DEFAULTS: Settings = {
  configFile: '',
  credentialsFile: '',
  warningMinutes: 5,
  sessionName: '',
  stsTimeoutSeconds: 10,
  autoRefresh: true,
  refreshMinutesBefore: 5,
  mfaSession: true,
  mfaSessionHours: 12,
  useCliCache: true,
  writeCliCache: false,
  terminalCredentials: 'environment',
  clipboardClearSeconds: 60,
  consoleStartPage: '',
  consoleRegion: '',
  consoleFederationEndpoint: '',
  debugCredentials: true,
  autoAssumeWorkspaceProfile: false,
  ssoFlow: 'auto',
  ssoProfileNameTemplate: '{accountName}/{roleName}',
  ssoSignInTimeoutMinutes: 5,
  statusBarFormat: DEFAULT_IDENTITY_FORMAT,
  accountNames: {},
};

function read(): Settings {
  const c = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  // A hand-edited settings.json can hold any type; fall back rather than misbehave.
  const str = (key: keyof Settings) => {
    const v = c.get<unknown>(key);
    return typeof v === 'string' ? v : (DEFAULTS[key] as string);
  };
  const num = (key: keyof Settings, min: number, max: number) => {
    const v = c.get<unknown>(key);
    return typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : (DEFAULTS[key] as number);
  };
  const bool = (key: keyof Settings) => {
    const v = c.get<unknown>(key);
    return typeof v === 'boolean' ? v : (DEFAULTS[key] as boolean);
  };
  const mode = c.get<unknown>('terminalCredentials');
  const strKey = (key: string) => {
    const v = c.get<unknown>(key);
    return typeof v === 'string' ? v : '';
  };
  const flow = c.get<unknown>('sso.flow');
  const template = strKey('sso.profileNameTemplate').trim();
  const timeout = c.get<unknown>('sso.signInTimeoutMinutes');
  const names = c.get<unknown>('accountNames');
  return {
    autoRefresh: bool('autoRefresh'),
    refreshMinutesBefore: num('refreshMinutesBefore', 1, 30),
    mfaSession: bool('mfaSession'),
    mfaSessionHours: num('mfaSessionHours', 0.25, 36),
    useCliCache: bool('useCliCache'),
    writeCliCache: bool('writeCliCache'),
    terminalCredentials: mode === 'endpoint' ? 'endpoint' : 'environment',
    clipboardClearSeconds: num('clipboardClearSeconds', 0, 3600),
    consoleStartPage: strKey('console.startPage'),
    consoleRegion: strKey('console.region'),
    consoleFederationEndpoint: strKey('console.federationEndpoint'),
    debugCredentials: bool('debugCredentials'),
    autoAssumeWorkspaceProfile: bool('autoAssumeWorkspaceProfile'),
    configFile: str('configFile'),
    credentialsFile: str('credentialsFile'),
    warningMinutes: num('warningMinutes', 0, 60),
    sessionName: str('sessionName'),
    stsTimeoutSeconds: num('stsTimeoutSeconds', 1, 120),
    ssoFlow: flow === 'authorizationCode' || flow === 'deviceCode' ? flow : 'auto',
    ssoProfileNameTemplate: template || DEFAULTS.ssoProfileNameTemplate,
    statusBarFormat: strKey('statusBar.format').trim() || DEFAULTS.statusBarFormat,
    // Which entries count (12-digit ids, non-empty names) is decided by core/config/profileGroups' accountNames.
    accountNames: names && typeof names === 'object' && !Array.isArray(names) ? (names as Record<string, unknown>) : {},
    ssoSignInTimeoutMinutes: typeof timeout === 'number' && Number.isFinite(timeout) ? Math.min(30, Math.max(1, timeout)) : DEFAULTS.ssoSignInTimeoutMinutes,
  };
}

/** Typed settings, re-read only when our section changes. */
export class SettingsService extends Disposable {
  private current = read();
  private readonly changed = this._register(new Emitter<{ previous: Settings; current: Settings }>());
  readonly onDidChange = this.changed.event;

  constructor() {
    super();
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration(SETTINGS_SECTION)) return;
        const previous = this.current;
        this.current = read();
        this.changed.fire({ previous, current: this.current });
      }),
    );
  }

  get value(): Settings {
    return this.current;
  }

  /** The profile the (first) workspace folder works with; read per folder, since it is a resource setting. */
  workspaceProfile(folder: vscode.Uri | undefined): string {
    const v = vscode.workspace.getConfiguration(SETTINGS_SECTION, folder).get<unknown>('workspaceProfile');
    return typeof v === 'string' ? v.trim() : '';
  }
}
