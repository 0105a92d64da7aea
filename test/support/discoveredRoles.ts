// Builders for discovered Identity Center accounts and roles (src/core/config/discoveredRoles.ts).
import type { DiscoveredRole, DiscoveryCache } from '../../src/core/config/discoveredRoles';

export const CORP_START_URL = 'https://corp.awsapps.com/start';

/** A role of the `corp` sso-session unless told otherwise. */
export function discoveredRole(fields: Partial<DiscoveredRole> & Pick<DiscoveredRole, 'accountId' | 'roleName'>): DiscoveredRole {
  return { ssoSession: 'corp', startUrl: CORP_START_URL, ssoRegion: 'eu-west-1', ...fields };
}

/** Roles of `corp` from [accountId, accountName, roleName] rows. */
export function discoveredRoles(rows: [string, string | undefined, string][]): DiscoveredRole[] {
  return rows.map(([accountId, accountName, roleName]) => discoveredRole({ accountId, roleName, ...(accountName !== undefined && { accountName }) }));
}

/** Two accounts of `corp`: Production (Admin, ReadOnly) and an unnamed one (Dev, Ops). */
export function discoveryCache(): DiscoveryCache {
  return {
    ssoSession: 'corp',
    startUrl: CORP_START_URL,
    ssoRegion: 'eu-west-1',
    discoveredAt: Date.UTC(2025, 0, 15, 12),
    accounts: [
      { accountId: '111122223333', accountName: 'Production', emailAddress: 'prod@example.com', roles: ['Admin', 'ReadOnly'] },
      { accountId: '444455556666', roles: ['Dev', 'Ops'] },
    ],
  };
}
