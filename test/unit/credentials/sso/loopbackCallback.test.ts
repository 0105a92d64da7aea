import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { listenForCallback, type CallbackListener } from '../../../../src/core/credentials/sso/loopbackCallback';
import { SsoSignInError } from '../../../../src/core/credentials/sso/ssoErrors';
import { FakeClock } from '../../../support/fakeClock';

/** A browser's GET, with the Host header it would send (or another). */
function get(port: number, pathAndQuery: string, host = `127.0.0.1:${port}`, method = 'GET'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: pathAndQuery, method, headers: { Host: host }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Whether the promise is still pending after the event loop has had a turn. */
async function pending(p: Promise<unknown>): Promise<boolean> {
  const marker = Symbol('pending');
  return (await Promise.race([p.then(() => 'settled', () => 'settled'), new Promise((r) => setTimeout(() => r(marker), 20))])) === marker;
}

async function refusesConnections(port: number): Promise<boolean> {
  return get(port, '/oauth/callback').then(
    () => false,
    (e: NodeJS.ErrnoException) => e.code === 'ECONNREFUSED',
  );
}

describe('core: the loopback callback listener', () => {
  let listener: CallbackListener | undefined;
  afterEach(() => listener?.close());

  it('listens on 127.0.0.1 at a random port, returns the code of the callback with the right state, answers with a page, then closes', async () => {
    listener = await listenForCallback({ state: 'state-1' });
    assert.ok(listener.port > 0);
    assert.equal(listener.redirectUri, `http://127.0.0.1:${listener.port}/oauth/callback`);
    const answer = await get(listener.port, '/oauth/callback?code=the-code&state=state-1');
    assert.equal(answer.status, 200);
    assert.match(answer.body, /<title>Signed in<\/title>[\s\S]*You can close this tab and return to VS Code/);
    assert.equal(await listener.code, 'the-code');
    assert.ok(await refusesConnections(listener.port), 'closed after use');
  });

  it('refuses a callback with another state (400) and keeps waiting for the right one', async () => {
    listener = await listenForCallback({ state: 'state-2' });
    assert.equal((await get(listener.port, '/oauth/callback?code=stolen&state=other')).status, 400);
    assert.equal((await get(listener.port, '/oauth/callback?code=stolen')).status, 400);
    assert.equal((await get(listener.port, '/oauth/callback?error=access_denied&state=other')).status, 400, 'a stray error cannot end the sign-in either');
    assert.ok(await pending(listener.code));
    assert.equal((await get(listener.port, '/oauth/callback?code=right&state=state-2')).status, 200);
    assert.equal(await listener.code, 'right');
  });

  it('refuses other paths, methods and Host headers (DNS rebinding) without ending the wait', async () => {
    listener = await listenForCallback({ state: 's' });
    const { port } = listener;
    assert.equal((await get(port, '/favicon.ico')).status, 404);
    assert.equal((await get(port, '/oauth/callback?code=c&state=s', `evil.example:${port}`)).status, 400);
    assert.equal((await get(port, '/oauth/callback?code=c&state=s', `localhost:${port}`)).status, 400);
    assert.equal((await get(port, '/oauth/callback?code=c&state=s', '127.0.0.1', 'POST')).status, 400);
    assert.equal((await get(port, '/oauth/callback?code=c&state=s', `127.0.0.1:${port}`, 'POST')).status, 405);
    assert.ok(await pending(listener.code));
    assert.equal((await get(port, '/oauth/callback?code=c&state=s')).status, 200);
    assert.equal(await listener.code, 'c');
  });

  it('turns error=access_denied into a typed "denied" error, and other errors into "failed" with their code', async () => {
    listener = await listenForCallback({ state: 's' });
    const answer = await get(listener.port, '/oauth/callback?error=access_denied&error_description=User+said+no&state=s');
    assert.equal(answer.status, 200);
    assert.match(answer.body, /access_denied/);
    await assert.rejects(listener.code, (e: unknown) => e instanceof SsoSignInError && e.failure === 'denied' && e.code === 'SsoSignInFailed' && /refused in the browser/.test(e.message));

    listener = await listenForCallback({ state: 's' });
    await get(listener.port, '/oauth/callback?error=server_error&state=s');
    await assert.rejects(listener.code, (e: unknown) => e instanceof SsoSignInError && e.failure === 'failed' && e.oauthError === 'server_error');

    listener = await listenForCallback({ state: 's' });
    await get(listener.port, '/oauth/callback?error=%3Cscript%3E&state=s');
    await assert.rejects(listener.code, (e: unknown) => e instanceof SsoSignInError && e.oauthError === 'unknown_error' && !e.message.includes('<script>'));
  });

  it('is cancelled by its AbortSignal, and closes', async () => {
    const abort = new AbortController();
    listener = await listenForCallback({ state: 's', signal: abort.signal });
    abort.abort();
    await assert.rejects(listener.code, (e: unknown) => e instanceof SsoSignInError && e.failure === 'cancelled' && e.code === 'SsoSignInCancelled');
    assert.ok(await refusesConnections(listener.port));
    await assert.rejects(listenForCallback({ state: 's', signal: abort.signal }), /cancelled/);
  });

  it('times out after the given time (5 minutes by default) with a message that says what to do', async () => {
    const clock = new FakeClock();
    listener = await listenForCallback({ state: 's', clock });
    clock.advance(5 * 60_000 - 1);
    assert.ok(await pending(listener.code));
    clock.advance(1);
    await assert.rejects(listener.code, (e: unknown) => e instanceof SsoSignInError && e.failure === 'timeout' && e.code === 'Timeout' && /within 5 minutes.*Sign In to IAM Identity Center/.test(e.message));
    assert.ok(await refusesConnections(listener.port));

    listener = await listenForCallback({ state: 's', clock, timeoutMs: 90_000 });
    clock.advance(90_000);
    await assert.rejects(listener.code, /within 90 seconds/);
  });
});
