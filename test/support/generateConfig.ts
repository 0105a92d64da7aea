/**
 * Generates ~/.aws/config files shaped like what large organisations have: one Identity
 * Center `sso-session`, per account a few SSO permission-set profiles (as `aws configure sso`
 * writes them), and role profiles chained from them (deploy roles, cross-account access).
 * Used by the scale tests and the benchmark; deterministic for a given size.
 */
const PERMISSION_SETS = ['AdministratorAccess', 'PowerUserAccess', 'ReadOnlyAccess'];
const REGIONS = ['us-east-1', 'eu-west-1', 'eu-central-1', 'ap-southeast-2'];

export interface GeneratedConfig {
  text: string;
  profileCount: number;
  accountCount: number;
  /** Some profile names, for lookups and filter tests. */
  sample: { sso: string; chained: string; accountId: string };
}

export function accountIdFor(i: number): string {
  return String(100000000000 + i * 7919).padStart(12, '0');
}

/** About `profiles` profiles: 3 SSO profiles + 2 chained role profiles per account. */
export function generateIdentityCenterConfig(profiles: number): GeneratedConfig {
  const perAccount = PERMISSION_SETS.length + 2;
  const accounts = Math.max(1, Math.round(profiles / perAccount));
  const out: string[] = ['[default]', 'region = us-east-1', '', '[sso-session corp]', 'sso_start_url = https://corp.awsapps.com/start', 'sso_region = us-east-1', 'sso_registration_scopes = sso:account:access', ''];
  let count = 0;
  for (let a = 0; a < accounts; a++) {
    const accountId = accountIdFor(a);
    const name = `acct${String(a).padStart(4, '0')}`;
    const region = REGIONS[a % REGIONS.length];
    for (const set of PERMISSION_SETS) {
      out.push(`[profile ${name}-${set}]`, 'sso_session = corp', `sso_account_id = ${accountId}`, `sso_role_name = ${set}`, `region = ${region}`, 'output = json', '');
      count++;
    }
    out.push(`[profile ${name}-deploy]`, `role_arn = arn:aws:iam::${accountId}:role/Deploy`, `source_profile = ${name}-AdministratorAccess`, 'role_session_name = ci-deploy', `region = ${region}`, '');
    out.push(`[profile ${name}-audit]`, `role_arn = arn:aws:iam::${accountIdFor(a + 1)}:role/Audit`, `source_profile = ${name}-deploy`, 'duration_seconds = 3600', '');
    count += 2;
  }
  return { text: out.join('\n'), profileCount: count, accountCount: accounts, sample: { sso: 'acct0001-ReadOnlyAccess', chained: 'acct0001-audit', accountId: accountIdFor(1) } };
}
