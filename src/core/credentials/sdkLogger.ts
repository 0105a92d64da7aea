/**
 * The logger handed to an AWS SDK client. The SDK logs objects (requests, responses, errors) at
 * debug level and dumps failed calls at error level; neither is safe to log (they may hold keys
 * or tokens) nor useful next to the caller's own normalised failure, so only warnings are kept,
 * and of each argument only its message.
 */
export interface SdkLogger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

function describeLogArg(arg: unknown): string {
  if (typeof arg === 'string') return arg;
  if (arg instanceof Error) return `${arg.name}: ${arg.message}`;
  const message = (arg as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : '[object]';
}

/** `label` names the client in the line ("STS", "IAM Identity Center"); undefined `log`: no logger at all. */
export function sdkLogger(label: string, log: ((message: string) => void) | undefined): SdkLogger | undefined {
  if (!log) return undefined;
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: (...args: unknown[]) => log(`${label} SDK warning: ${args.map(describeLogArg).join(' ')}`),
    error: () => undefined,
  };
}
