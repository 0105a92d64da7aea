/** How terminals get credentials (the awsRoles.terminalCredentials setting). */
export type TerminalCredentialsMode = 'environment' | 'endpoint';

// botocore refreshes container credentials that have less than 15 minutes left (its advisory
// window), so in endpoint mode the session is renewed before that, or every SDK would keep
// asking the endpoint for credentials it cannot renew yet.
export const ENDPOINT_MIN_LEAD_MS = 16 * 60_000;

/** How long before expiry the session is renewed, for the terminal mode in use. */
export function refreshLeadMs(minutesBefore: number, mode: TerminalCredentialsMode): number {
  const lead = minutesBefore * 60_000;
  return mode === 'endpoint' ? Math.max(lead, ENDPOINT_MIN_LEAD_MS) : lead;
}
