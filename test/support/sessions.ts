// Data builders for Session, the identity resolveSession returns: a realistic default that a test
// overrides field by field, instead of a hand-built literal in every file.
import type { Session } from '../../src/core/session/session';

const HOUR = 3_600_000;

/** When a built session starts unless told otherwise: FakeClock's default now (2025-01-15 12:00 UTC). */
export const SESSION_START = Date.UTC(2025, 0, 15, 12, 0, 0);

/**
 * A role session as resolveSession returns it: profile `dev` (chained from `base`) assumed role Dev
 * in account 222222222222 as `alice`, in eu-west-1, for an hour from `startedAt`.
 */
export function roleSession(over: Partial<Session> = {}): Session {
  const profileName = over.profileName ?? 'dev';
  const startedAt = over.startedAt ?? SESSION_START;
  return {
    profileName,
    kind: 'role',
    credentials: { accessKeyId: keyId('ASIA', profileName), secretAccessKey: `${profileName}/session+secret=0000000000000001`, sessionToken: `FwoGZXIvYXdzE${profileName}+session/token==` },
    expiresAt: startedAt + HOUR,
    startedAt,
    region: 'eu-west-1',
    arn: 'arn:aws:sts::222222222222:assumed-role/Dev/alice',
    accountId: '222222222222',
    roleArn: 'arn:aws:iam::222222222222:role/Dev',
    chain: [profileName, 'base'],
    ...over,
  };
}

/** Long-term keys picked directly: no session token, no expiry. */
export function staticSession(over: Partial<Session> = {}): Session {
  return roleSession({
    kind: 'static',
    credentials: { accessKeyId: keyId('AKIA', over.profileName ?? 'dev'), secretAccessKey: `${over.profileName ?? 'dev'}-long-term-secret-000000000000001` },
    expiresAt: undefined,
    ...over,
  });
}

/** A role session holding credentials the LoopbackSts issued (issueRoleSession), so STS and the stand-ins accept them. */
export function issuedRoleSession(issued: { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiresAt: number; arn: string }, over: Partial<Session> = {}): Session {
  const match = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\//.exec(issued.arn);
  if (!match) throw new Error(`not an assumed-role ARN: ${issued.arn}`);
  const [, partition, account, roleName] = match;
  return roleSession({
    credentials: { accessKeyId: issued.accessKeyId, secretAccessKey: issued.secretAccessKey, sessionToken: issued.sessionToken, expiration: new Date(issued.expiresAt) },
    expiresAt: issued.expiresAt,
    startedAt: issued.expiresAt - HOUR,
    arn: issued.arn,
    accountId: account,
    roleArn: `arn:${partition}:iam::${account}:role/${roleName}`,
    ...over,
  });
}

/** A 20-character key id of the profile's name, so the sessions of different profiles hold different keys. */
function keyId(prefix: 'ASIA' | 'AKIA', profileName: string): string {
  return (prefix + profileName.toUpperCase().replace(/[^A-Z0-9]/g, '')).padEnd(20, '0').slice(0, 20);
}
