import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '../../clock';
import { CALLBACK_PATH, redirectUriWithPort } from './pkce';
import { describeWait, SIGN_IN_COMMAND_TITLE, SsoSignInError } from './ssoErrors';

/**
 * The one-shot listener the browser is redirected to after sign-in (RFC 8252 §7.3: a loopback
 * redirect on any port). It answers one right request (the expected `state`) and closes; anything
 * else (another path, another state, another Host) is refused and the wait goes on, so a stray
 * request can neither end nor steal the sign-in.
 */

/** The AWS CLI waits 10 minutes; a sign-in in the editor that takes longer has been abandoned. */
export const DEFAULT_CALLBACK_TIMEOUT_MS = 5 * 60_000;

export interface CallbackOptions {
  /** The state sent in the authorize URL; a callback with any other is refused. */
  state: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  clock?: Clock;
}

export interface CallbackListener {
  port: number;
  /** `http://127.0.0.1:<port>/oauth/callback`: the redirect_uri of the authorize URL and of CreateToken. */
  redirectUri: string;
  /** The authorization code; rejects with an SsoSignInError (denied, timeout, cancelled, failed). The listener is closed once it settles. */
  code: Promise<string>;
  /** Stops listening (the code promise rejects as cancelled if it has not settled). */
  close(): void;
}

function page(title: string, text: string): string {
  const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escape(title)}</title></head><body style="font-family: system-ui, sans-serif; margin: 3em"><h2>${escape(title)}</h2><p>${escape(text)}</p></body></html>`;
}

/** An OAuth error code fit for a message: the service sends a short token; anything else is not echoed. */
function safeErrorCode(value: string): string {
  return /^[\w.-]{1,64}$/.test(value) ? value : 'unknown_error';
}

/** Starts listening on 127.0.0.1 and a port the system picks. */
export async function listenForCallback(options: CallbackOptions): Promise<CallbackListener> {
  const clock = options.clock ?? systemClock;
  const timeoutMs = options.timeoutMs ?? DEFAULT_CALLBACK_TIMEOUT_MS;
  if (options.signal?.aborted) throw new SsoSignInError('Sign-in was cancelled.', 'cancelled');

  let settle: { resolve(code: string): void; reject(e: Error): void } | undefined;
  const code = new Promise<string>((resolve, reject) => (settle = { resolve, reject }));
  // The caller attaches its handlers after it has opened the browser; until then a rejection is not "unhandled".
  code.catch(() => undefined);

  let port = 0;
  let done = false;
  const server = http.createServer((req, res) => {
    const answer = (status: number, title: string, text: string) => {
      res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'close' });
      res.end(page(title, text));
    };
    // A page on another site can make the browser send requests here; only a request addressed to
    // this listener by its own name (no DNS rebinding) is considered.
    if ((req.headers.host ?? '').toLowerCase() !== `127.0.0.1:${port}`) return answer(400, 'Bad request', 'This address only accepts the IAM Identity Center sign-in callback.');
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    if (url.pathname !== CALLBACK_PATH) return answer(404, 'Not found', 'This address only accepts the IAM Identity Center sign-in callback.');
    if (req.method !== 'GET') return answer(405, 'Method not allowed', 'The sign-in callback is a GET request.');
    if (done) return answer(410, 'Sign-in already finished', 'You can close this tab.');
    if (url.searchParams.get('state') !== options.state) {
      return answer(400, 'Unknown sign-in', 'This callback does not belong to the sign-in in progress in VS Code. Nothing was done.');
    }
    const error = url.searchParams.get('error');
    if (error !== null) {
      const errorCode = safeErrorCode(error);
      answer(200, 'Sign-in not completed', `IAM Identity Center answered ${errorCode}. You can close this tab and return to VS Code.`);
      const denied = errorCode === 'access_denied';
      finish(
        new SsoSignInError(
          denied
            ? `Sign-in was refused in the browser (access_denied). Run "${SIGN_IN_COMMAND_TITLE}" again and allow access.`
            : `Sign-in failed: IAM Identity Center answered ${errorCode}. Run "${SIGN_IN_COMMAND_TITLE}" again.`,
          denied ? 'denied' : 'failed',
          errorCode,
        ),
      );
      return;
    }
    const authCode = url.searchParams.get('code');
    if (!authCode) return answer(400, 'Bad request', 'The callback carries no authorization code.');
    answer(200, 'Signed in', 'You can close this tab and return to VS Code.');
    finish(undefined, authCode);
  });

  const finish = (error: Error | undefined, authCode?: string) => {
    if (done) return;
    done = true;
    clock.clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    // Close after the answer is on its way: no new connections, and idle keep-alive ones dropped.
    server.close();
    setImmediate(() => server.closeIdleConnections());
    if (error) settle?.reject(error);
    else settle?.resolve(authCode as string);
  };
  const onAbort = () => finish(new SsoSignInError('Sign-in was cancelled.', 'cancelled'));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const timer = clock.setTimeout(
    () => finish(new SsoSignInError(`Sign-in timed out: the browser did not come back within ${describeWait(timeoutMs)}. Run "${SIGN_IN_COMMAND_TITLE}" again.`, 'timeout')),
    timeoutMs,
  );
  options.signal?.addEventListener('abort', onAbort, { once: true });
  return { port, redirectUri: redirectUriWithPort(port), code, close: onAbort };
}
