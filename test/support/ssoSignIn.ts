// The user's side of an IAM Identity Center sign-in, for tests that run the extension's sign-in
// against the stand-in: a browser that follows the authorize redirect to the extension's loopback
// callback, and the registration store the VS Code side keeps in SecretStorage.
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { RegistrationStore, StoredRegistration } from '../../src/core/credentials/sso/signIn';
import { deferred } from './fakeClock';

export interface Page {
  status: number;
  location?: string;
  body: string;
}

/** A plain GET: no redirect is followed (http.get never does). */
export function httpGet(url: string): Promise<Page> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body }));
      })
      .on('error', reject);
  });
}

export class MemoryRegistrations implements RegistrationStore {
  readonly entries = new Map<string, StoredRegistration>();
  async get(key: string) {
    return this.entries.get(key);
  }
  async put(key: string, registration: StoredRegistration) {
    this.entries.set(key, registration);
  }
  async delete(key: string) {
    this.entries.delete(key);
  }
}

/**
 * The user's browser, as `openUrl`: GETs the authorize URL from the stand-in, then the 302's
 * Location (the extension's loopback callback on 127.0.0.1). `strays` are requests some other tab
 * sends to the callback first; with `follow` false the user never comes back (the callback URL is
 * handed to `redirected`). It fails the sign-in with an assertion when the stand-in does not
 * redirect.
 */
export class SignInBrowser {
  readonly opened: string[] = [];
  readonly authorizePages: Page[] = [];
  readonly callbackPages: Page[] = [];
  readonly strayPages: Page[] = [];
  strays: ((callback: URL) => string)[] = [];
  follow = true;
  readonly redirected = deferred<URL>();

  readonly openUrl = async (url: string): Promise<boolean> => {
    this.opened.push(url);
    const authorize = await httpGet(url);
    this.authorizePages.push(authorize);
    assert.equal(authorize.status, 302, `the stand-in's /authorize answered ${authorize.status} (${authorize.body}), not a redirect`);
    const callback = new URL(authorize.location!);
    this.redirected.resolve(callback);
    for (const stray of this.strays) this.strayPages.push(await httpGet(stray(callback)));
    if (this.follow) this.callbackPages.push(await httpGet(callback.toString()));
    return true;
  };
}
