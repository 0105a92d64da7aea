import type * as vscode from 'vscode';
import { StateKeys } from '../constants';
import { discoveredRolesOf, parseDiscoveryCache, serializeDiscoveryCache, type DiscoveryCache, type DiscoveredRole } from '../core/config/discoveredRoles';
import { Emitter } from '../core/events';

/**
 * The accounts and roles each sso-session's discovery found, kept in globalState (no token in it:
 * not a secret) so the tree shows them at once on the next start, in every window. Parsed
 * defensively: an entry of another version or a hand edit is dropped and discovered again.
 */
export class DiscoveredRolesStore {
  private readonly changed = new Emitter<void>();
  readonly onDidChange = this.changed.event;
  private parsed: { raw: unknown; caches: DiscoveryCache[] } | undefined;

  constructor(private readonly state: vscode.Memento) {}

  caches(): DiscoveryCache[] {
    const raw = this.state.get<unknown>(StateKeys.discoveredRoles);
    if (this.parsed && this.parsed.raw === raw) return this.parsed.caches;
    const entries = raw && typeof raw === 'object' ? Object.values(raw as Record<string, unknown>) : [];
    const caches = entries.map(parseDiscoveryCache).filter((c): c is DiscoveryCache => c !== undefined);
    this.parsed = { raw, caches };
    return caches;
  }

  get(ssoSession: string): DiscoveryCache | undefined {
    return this.caches().find((c) => c.ssoSession === ssoSession);
  }

  roles(): DiscoveredRole[] {
    return this.caches().flatMap(discoveredRolesOf);
  }

  async put(cache: DiscoveryCache): Promise<void> {
    const next: Record<string, unknown> = {};
    for (const c of this.caches()) if (c.ssoSession !== cache.ssoSession) next[c.ssoSession] = serializeDiscoveryCache(c);
    next[cache.ssoSession] = serializeDiscoveryCache(cache);
    await this.state.update(StateKeys.discoveredRoles, next);
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }
}
