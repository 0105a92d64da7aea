import * as vscode from 'vscode';
import { Commands } from '../constants';
import type { Clock } from '../core/clock';
import type { MfaSessionCache } from '../core/credentials/mfaSessions';
import type { SessionManager } from '../core/session/sessionManager';
import { Disposable } from './disposable';
import type { Logger } from './logger';
import type { SecretSessionStore } from './secretSessionStore';

/**
 * AWS: Sign Out: forgets what lets anyone at this machine act as you without a new code: this
 * window's session, every MFA session (in every window: they are shared), and this window's
 * stored session (and the old shared entry of earlier versions), so a reload does not bring it back,
 * and every IAM Identity Center sign-in this extension made (Logout, token file deleted). Drop Credentials, by contrast, keeps MFA sessions.
 */
export class SignOut extends Disposable {
  constructor(
    private readonly sessions: SessionManager,
    private readonly mfaCache: MfaSessionCache,
    private readonly store: SecretSessionStore,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** Signs out of every IAM Identity Center sign-in this extension made; resolves to how many. */
    private readonly signOutIdentityCenter: () => Promise<number> = async () => 0,
  ) {
    super();
    this._register(vscode.commands.registerCommand(Commands.signOut, () => this.signOut()));
  }

  async signOut(): Promise<{ session?: string; mfaSessions: number; identityCenter: number }> {
    const session = this.sessions.active?.profileName;
    const mfaSessions = this.mfaCache.live(this.clock.now()).length;
    this.sessions.drop('signedOut');
    this.mfaCache.forgetAll(this.clock.now());
    this.store.deleteActive();
    const identityCenter = await this.signOutIdentityCenter().catch((e: unknown) => {
      this.log.warn(`Signing out of IAM Identity Center failed: ${e instanceof Error ? e.message : String(e)}`);
      return 0;
    });
    const what = [
      session && `the session of "${session}"`,
      `${mfaSessions} MFA session${mfaSessions === 1 ? '' : 's'}`,
      identityCenter > 0 && `${identityCenter} IAM Identity Center sign-in${identityCenter === 1 ? '' : 's'}`,
    ]
      .filter(Boolean)
      .join(', ')
      .replace(/, ([^,]*)$/, ' and $1');
    this.log.info(`Signed out: forgot ${what}.`);
    void vscode.window.showInformationMessage(`Signed out of AWS: forgot ${what}. The next switch to a role with MFA asks for a code.`);
    return { session, mfaSessions, identityCenter };
  }
}
