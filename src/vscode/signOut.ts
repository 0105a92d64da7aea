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
 * stored session (and the old shared entry of earlier versions), so a reload does not bring it back. Drop Credentials, by contrast, keeps MFA sessions.
 */
export class SignOut extends Disposable {
  constructor(
    private readonly sessions: SessionManager,
    private readonly mfaCache: MfaSessionCache,
    private readonly store: SecretSessionStore,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    super();
    this._register(vscode.commands.registerCommand(Commands.signOut, () => this.signOut()));
  }

  signOut(): { session?: string; mfaSessions: number } {
    const session = this.sessions.active?.profileName;
    const mfaSessions = this.mfaCache.live(this.clock.now()).length;
    this.sessions.drop('signedOut');
    this.mfaCache.forgetAll(this.clock.now());
    this.store.deleteActive();
    const what = [session && `the session of "${session}"`, `${mfaSessions} MFA session${mfaSessions === 1 ? '' : 's'}`].filter(Boolean).join(' and ');
    this.log.info(`Signed out: forgot ${what}.`);
    void vscode.window.showInformationMessage(`Signed out of AWS: forgot ${what}. The next switch to a role with MFA asks for a code.`);
    return { session, mfaSessions };
  }
}
