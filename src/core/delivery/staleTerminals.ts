import type { Session } from '../session/session';

/**
 * What a terminal was given when it opened, as far as this window knows: the identity it runs
 * as (never a secret: the role or caller ARN and the access key id), the endpoint it follows, none
 * of our variables, or unknown (it was open before the extension started).
 */
export type TerminalStart =
  | { readonly kind: 'keys'; readonly identity: string; readonly accessKeyId: string }
  | { readonly kind: 'endpoint' }
  | { readonly kind: 'none' }
  | { readonly kind: 'unknown' };

/** What new terminals get now: the session's keys, the endpoint (which follows every switch), or nothing. */
export function terminalStartFor(session: Session | undefined, viaEndpoint: boolean): TerminalStart {
  if (!session) return { kind: 'none' };
  if (viaEndpoint) return { kind: 'endpoint' };
  return { kind: 'keys', identity: session.roleArn ?? session.arn, accessKeyId: session.credentials.accessKeyId };
}

/**
 * Whether a terminal acts as someone other than what new terminals get now. A refresh keeps the
 * identity (new keys, same role), so it makes nothing stale; endpoint terminals follow on their own.
 * Terminals from before the extension started count only when a role is now active: they cannot
 * hold it.
 */
export function isStale(start: TerminalStart, now: TerminalStart): boolean {
  switch (start.kind) {
    case 'endpoint':
      return false;
    case 'keys':
      return now.kind !== 'keys' || now.identity !== start.identity;
    case 'none':
    case 'unknown':
      return now.kind === 'keys';
  }
}

export interface OpenTerminal<T> {
  readonly terminal: T;
  readonly start: TerminalStart;
  /** Whether a command runs in it; undefined when the shell does not say (no shell integration, and typed in). */
  readonly busy: boolean | undefined;
}

/**
 * Which stale terminals Relaunch may replace at once (they hold our variables and run nothing),
 * and which only after asking (something may run in them, or they were not opened with our
 * variables and may have been set up by hand).
 */
export function planRelaunch<T>(stale: readonly OpenTerminal<T>[]): { now: T[]; ask: T[] } {
  const now: T[] = [];
  const ask: T[] = [];
  for (const t of stale) (t.start.kind === 'keys' && t.busy === false ? now : ask).push(t.terminal);
  return { now, ask };
}

/** The notification after a switch or drop: how many terminals still act as someone else. */
export function staleTerminalsMessage(count: number, session: Pick<Session, 'profileName'> | undefined): string {
  const which = count === 1 ? 'An open terminal still has' : `${count} open terminals still have`;
  const they = count === 1 ? 'it was' : 'they were';
  const instead = session ? `, not those of profile ${session.profileName}` : ', although the session was dropped';
  return `${which} the AWS credentials ${they} opened with${instead}: aws, terraform and the SDKs there still act as the old identity.`;
}
