/** STS accepts six-digit TOTP codes. Checked before sending so a typo costs no STS call. */
export function isValidMfaCode(code: string): boolean {
  return /^\d{6}$/.test(code);
}
