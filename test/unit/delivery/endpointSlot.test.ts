import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { CredentialEndpoint } from '../../../src/core/delivery/credentialEndpoint';
import { EndpointSlot } from '../../../src/core/delivery/endpointSlot';
import { roleSession } from '../../support/sessions';

const listeningServers = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));
const statusOrError = (url: string, token: string) =>
  new Promise<number | string>((resolve) => {
    http
      .get(url, { headers: { Authorization: token }, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
  });

describe('The endpoint slot (terminalCredentials mode changes)', function () {
  this.timeout(30000);
  const session = roleSession({ profileName: 'dev', credentials: { accessKeyId: 'ASIASLOTLASTWINS0001', secretAccessKey: 'slot-secret', sessionToken: 'slot-token' } });
  const newEndpoint = () => new CredentialEndpoint(() => session);

  it('endpoint, environment, endpoint, environment in quick succession: no server is left, and no address handed out answers', async () => {
    const before = listeningServers();
    const slot = new EndpointSlot(newEndpoint);
    const handedOut = await Promise.all([slot.want(true), slot.want(false), slot.want(true), slot.want(false)]);
    await settle();
    assert.equal(slot.current, undefined);
    assert.equal(listeningServers(), before, 'no server left listening');
    const urls = handedOut.filter((h) => h !== undefined);
    assert.equal(urls.length, 2, 'both endpoint modes got an address');
    assert.notEqual(urls[0].token, urls[1].token, 'a new start is a new endpoint with a new token');
    for (const { url, token } of urls) assert.equal(await statusOrError(url, token), 'ECONNREFUSED');
  });

  it('the last mode wins: environment, endpoint leaves exactly one live endpoint that answers', async () => {
    const before = listeningServers();
    const slot = new EndpointSlot(newEndpoint);
    const [, , last] = await Promise.all([slot.want(true), slot.want(false), slot.want(true)]);
    assert.ok(last);
    await settle();
    assert.equal(listeningServers(), before + 1, 'one server');
    assert.equal(await statusOrError(last.url, last.token), 200);
    await slot.dispose();
    assert.equal(await statusOrError(last.url, last.token), 'ECONNREFUSED');
  });

  it('dispose() while a start is pending: nothing listens afterwards, and a later want(true) starts nothing', async () => {
    const before = listeningServers();
    const slot = new EndpointSlot(newEndpoint);
    const started = slot.want(true).catch(() => undefined);
    // Until the queued start has created the endpoint and called listen.
    while (!slot.current) await Promise.resolve();
    await slot.dispose();
    await started;
    assert.equal(await slot.want(true), undefined);
    await settle();
    assert.equal(listeningServers(), before);
  });
});
