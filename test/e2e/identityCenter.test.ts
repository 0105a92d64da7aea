/*
 * UI end-to-end test of IAM Identity Center: the real workbench (code-server) in chromium, the extension under
 * development, and stand-ins for the OIDC service, the portal and STS running in THIS (mocha) process on
 * 127.0.0.2 (code-server rewrites openExternal links to 127.0.0.1 and localhost into its port proxy).
 *
 * Sign In from the command palette -> the browser opens the stand-in's /authorize, which redirects it to the
 * extension's loopback callback -> the AWS Roles view lists every account by name and id with its roles -> a
 * discovered role assumed from the quick pick and from the tree -> Sign Out. The screenshots go to
 * test-results/screenshots/identity-center-*.png; identity-center-tree.png is the README's picture.
 *
 * Steps depend on each other, so the suite bails at the first failure.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Locator } from 'playwright-core';
import { launchBrowser, startCodeServer, type CodeServer } from '../harness/codeServer';
import { prepareScreenshotDir, SCREENSHOT_DIR, UI_TIMEOUT, WorkbenchUi } from '../harness/workbenchUi';
import { LoopbackIdentityCenter, type IdentityCenterAccount } from '../support/loopbackIdentityCenter';
import { LoopbackSts } from '../support/loopbackSts';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const START_URL = 'https://corp-test.awsapps.com/start';
const ACCOUNTS: IdentityCenterAccount[] = [
  { accountId: '111111111111', accountName: 'Production', emailAddress: 'prod@example.com', roles: ['Admin', 'ReadOnly'] },
  { accountId: '222222222222', accountName: 'Development', emailAddress: 'dev@example.com', roles: ['Developer'] },
  { accountId: '333333333333', accountName: 'Sandbox', emailAddress: 'sandbox@example.com', roles: ['ReadOnly', 'Admin', 'Developer'] },
  { accountId: '444444444444', accountName: 'Log Archive', emailAddress: 'logs@example.com', roles: ['ReadOnly'] },
];
const SESSION_ROW = 'corp — IAM Identity Center';
const AUTHORIZE = /^http:\/\/127\.0\.0\.2:\d+\/authorize\?/;
/** The side bar is widened to this, so the descriptions ("signed in · renews itself · 4 accounts") are not cut. */
const SIDE_BAR_WIDTH = 540;

// prod-admin reaches Production/Admin: the tree shows it where config profiles are, marked, and not under corp.
function fixtureConfig(): string {
  return `[sso-session corp]
sso_start_url = ${START_URL}
sso_region = us-east-1
sso_registration_scopes = sso:account:access
region = eu-west-1

[profile prod-admin]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Admin
region = eu-west-1
`;
}

interface Row {
  label: string;
  description: string;
  level: number;
}

describe('UI: IAM Identity Center sign-in through the browser', function () {
  this.timeout(180_000);
  this.bail(true);

  let sts: LoopbackSts | undefined;
  let idc: LoopbackIdentityCenter | undefined;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let ui: WorkbenchUi;
  let sandbox: string | undefined;
  /** The text of each dialog answered on the way to the browser page. */
  const dialogs: string[] = [];

  /** The rows of the AWS Roles view as the user reads them, in order. */
  async function treeRows(): Promise<Row[]> {
    const rows = ui.sideBar().locator('.monaco-list-row');
    const out: Row[] = [];
    for (let i = 0; i < (await rows.count()); i++) {
      const row = rows.nth(i);
      out.push({
        label: (await row.locator('.label-name').innerText()).trim(),
        description: (await row.locator('.label-description').allInnerTexts()).join('').trim(),
        level: Number(await row.getAttribute('aria-level')),
      });
    }
    return out;
  }

  /** The row of a discovered role: `roleName` inside the account named `accountName`. */
  async function roleRow(accountName: string, roleName: string): Promise<Locator> {
    const rows = await treeRows();
    const account = rows.findIndex((r) => r.label === accountName && r.level === 2);
    assert.ok(account >= 0, `account ${accountName} in ${JSON.stringify(rows)}`);
    for (let i = account + 1; i < rows.length && rows[i].level > 2; i++) {
      if (rows[i].label === roleName) return ui.sideBar().locator('.monaco-list-row').nth(i);
    }
    assert.fail(`role ${roleName} under ${accountName} in ${JSON.stringify(rows)}`);
  }

  /**
   * Answers "Open" in each dialog VS Code shows before the browser asks for `request` (each dialog saved as a
   * picture): it asks before opening a site that is not a trusted domain (127.0.0.2 is not localhost to it), and
   * again when the browser blocked the window it then opened.
   */
  async function answerDialogsUntil(request: Promise<URL>): Promise<URL> {
    let done = false;
    void request.then(() => (done = true), () => undefined);
    const confirm = ui.page.locator('.monaco-dialog-box .monaco-button', { hasText: /^Open$/ });
    for (let n = 1; ; n++) {
      const next = await Promise.race([request.then(() => 'request' as const), confirm.waitFor({ state: 'visible', timeout: UI_TIMEOUT }).then(() => 'dialog' as const)]);
      if (next === 'request' || done) return request;
      assert.ok(n <= 2, `at most two dialogs before the browser opens the page: ${JSON.stringify(dialogs)}`);
      const dialog = ui.page.locator('.monaco-dialog-box');
      dialogs.push((await dialog.innerText()).replace(/\s+/g, ' '));
      await ui.shot(`identity-center-open-dialog-${n}.png`, await ui.around(dialog, 24));
      await confirm.click();
      await confirm.waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
    }
  }

  before(async function () {
    prepareScreenshotDir();
    sts = new LoopbackSts({ users: [], roles: [] });
    const { url: stsUrl } = await sts.start();
    idc = new LoopbackIdentityCenter({ sts, startUrls: [START_URL], accounts: ACCOUNTS });
    const { oidcUrl, portalUrl } = await idc.start();

    sandbox = fs.mkdtempSync(path.join(os.tmpdir(), 'aws-roles-e2e-idc-'));
    const home = path.join(sandbox, 'home');
    const workspace = path.join(sandbox, 'workspace');
    const configPath = path.join(home, '.aws', 'config');
    fs.mkdirSync(path.dirname(configPath), { recursive: true, mode: 0o700 });
    fs.mkdirSync(workspace, { recursive: true });
    fs.writeFileSync(configPath, fixtureConfig());

    server = await startCodeServer({
      extensionDevelopmentPath: repoRoot,
      workspace,
      env: {
        HOME: home,
        SHELL: '/bin/bash',
        AWS_CONFIG_FILE: configPath,
        AWS_SHARED_CREDENTIALS_FILE: path.join(home, '.aws', 'credentials'),
        AWS_ENDPOINT_URL_SSO_OIDC: oidcUrl,
        AWS_ENDPOINT_URL_SSO: portalUrl,
        // Discovered roles have no services section: their caller identity check goes where the environment says.
        AWS_ENDPOINT_URL_STS: stsUrl,
      },
      userSettings: {
        'workbench.colorTheme': 'Default Dark Modern',
        'window.menuBarVisibility': 'compact',
        'workbench.layoutControl.enabled': false,
        'chat.commandCenter.enabled': false,
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
        // code-server's extension host is a remote one, where auto would pick the device code flow.
        'awsRoles.sso.flow': 'authorizationCode',
      },
    });
    browser = await launchBrowser();
    ui = await WorkbenchUi.open(browser, server);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && ui) await ui.recordFailure(this.currentTest.title, server);
  });

  after(async function () {
    this.timeout(60_000);
    await ui?.context.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await server?.stop().catch((e: unknown) => console.error('stopping code-server:', e));
    await idc?.stop().catch((e: unknown) => console.error('stopping LoopbackIdentityCenter:', e));
    await sts?.stop().catch((e: unknown) => console.error('stopping LoopbackSts:', e));
    if (sandbox) fs.rmSync(sandbox, { recursive: true, force: true });
  });

  it('shows the sso-session in the AWS Roles view, not signed in', async () => {
    await ui.statusItem().filter({ hasText: 'AWS: no role' }).waitFor({ state: 'visible', timeout: 90_000 });
    await ui.showAwsRolesView();
    const row = ui.treeRow(SESSION_ROW);
    await row.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    assert.equal((await row.locator('.label-description').innerText()).trim(), 'not signed in');
    assert.equal(await row.locator('.codicon-lock').count(), 1, 'a lock until signed in');
    // Wider, so the descriptions of the rows to come fit.
    const side = await ui.sideBar().boundingBox();
    assert.ok(side, 'side bar has a bounding box');
    const y = side.y + side.height / 2;
    await ui.page.mouse.move(side.x + side.width - 1, y);
    await ui.page.mouse.down();
    await ui.page.mouse.move(side.x + SIDE_BAR_WIDTH, y, { steps: 5 });
    await ui.page.mouse.up();
    const wider = await ui.sideBar().boundingBox();
    assert.ok(wider && wider.width > side.width, `side bar widened: ${side.width} -> ${wider?.width}`);
  });

  it('signs in from the command palette: the browser goes to /authorize, is redirected to the callback, which says it is done', async () => {
    // The authorize request is held until the progress notification is on the picture. (Playwright reports a
    // popup page only once its first navigation answers, so the request is what the test waits for.)
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let requested!: (url: URL) => void;
    const authorize = new Promise<URL>((resolve) => (requested = resolve));
    const timeout = setTimeout(() => requested(new URL('about:blank')), 2 * UI_TIMEOUT);
    await ui.context.route(AUTHORIZE, async (route) => {
      requested(new URL(route.request().url()));
      await held;
      await route.continue();
    });
    try {
      await ui.openFromPalette('AWS: Sign In to IAM Identity Center');
      const popup = ui.context.waitForEvent('page', { timeout: 3 * UI_TIMEOUT });
      await ui.page.keyboard.press('Enter');
      const authorizeUrl = await answerDialogsUntil(authorize);
      for (const d of dialogs) assert.match(d, /open the external website\?.*http:\/\/127\.0\.0\.2:\d+\/authorize\?|interrupted the opening of a new tab/);
      // What the browser was sent to: the OIDC endpoint from AWS_ENDPOINT_URL_SSO_OIDC, back to a loopback port.
      assert.equal(authorizeUrl.origin, idc!.oidcUrl, 'the browser asked for /authorize');
      assert.match(authorizeUrl.searchParams.get('redirect_uri') ?? '', /^http:\/\/127\.0\.0\.1:\d+\/oauth\/callback$/);
      assert.equal(authorizeUrl.searchParams.get('code_challenge_method'), 'S256');

      const toast = ui.notification('Signing in to IAM Identity Center (corp)');
      await toast.filter({ hasText: 'continue in your browser' }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
      assert.equal(await toast.locator('.monaco-button', { hasText: 'Cancel' }).count(), 1, 'the sign-in can be cancelled');
      await ui.page.mouse.move(700, 300);
      await ui.shot('identity-center-signing-in.png', await ui.around(toast, { x: 24, y: 16 }));
      release();

      const browserPage = await popup;
      await browserPage.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/oauth\/callback\?code=/, { timeout: UI_TIMEOUT });
      await browserPage.locator('h2', { hasText: 'Signed in' }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
      assert.equal(await browserPage.title(), 'Signed in');
      assert.equal((await browserPage.locator('p').innerText()).trim(), 'You can close this tab and return to VS Code.');
      await browserPage.screenshot({ path: path.join(SCREENSHOT_DIR, 'identity-center-callback.png'), clip: { x: 0, y: 0, width: 720, height: 200 } });
      await browserPage.close();

      await toast.waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
      const ops = idc!.requests.map((r) => `${r.operation} ${r.status}`);
      assert.ok(ops.includes('Authorize 302'), ops.join(', '));
      assert.ok(ops.includes('CreateToken 200'), ops.join(', '));
    } finally {
      clearTimeout(timeout);
      release();
      await ui.context.unroute(AUTHORIZE);
    }
  });

  it('lists every account by name and id, with its roles, in the AWS Roles view', async () => {
    const session = ui.treeRow(SESSION_ROW);
    await session.locator('.label-description', { hasText: 'signed in · renews itself · 4 accounts' }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    assert.equal(await session.locator('.codicon-organization').count(), 1, 'the organization icon once signed in');
    const rows = await treeRows();
    const at = rows.findIndex((r) => r.label === SESSION_ROW);
    assert.deepEqual(
      rows.slice(at).map((r) => [r.level, r.label, r.description]),
      [
        [1, SESSION_ROW, 'signed in · renews itself · 4 accounts'],
        [2, 'Development', '222222222222'],
        [3, 'Developer', ''],
        [2, 'Log Archive', '444444444444'],
        [3, 'ReadOnly', ''],
        // Admin is reached by the config's prod-admin profile: shown there, not twice.
        [2, 'Production', '111111111111'],
        [3, 'ReadOnly', ''],
        [2, 'Sandbox', '333333333333'],
        [3, 'Admin', ''],
        [3, 'Developer', ''],
        [3, 'ReadOnly', ''],
      ],
    );
    const prodAdmin = rows.find((r) => r.label === 'prod-admin');
    assert.equal(prodAdmin?.description, 'Admin · in corp');

    // The README's picture: the view down to a little below the last row.
    await ui.page.mouse.move(900, 450);
    const last = await ui.sideBar().locator('.monaco-list-row').last().boundingBox();
    const side = await ui.sideBar().boundingBox();
    assert.ok(last && side, 'rows have bounding boxes');
    await ui.shot('identity-center-tree.png', await ui.sideBarClip(last.y + last.height + 24 - side.y));
  });

  it('assumes a discovered role from the Assume Role quick pick: RoleName, "Account name (id)", after the profiles', async () => {
    await ui.openFromPalette('AWS: Assume Role');
    await ui.page.keyboard.press('Enter');
    await ui.quickInput().locator('.quick-input-title', { hasText: 'AWS: Assume Role' }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    const rows = ui.quickPickRows();
    await rows.filter({ hasText: 'IAM Identity Center' }).first().waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    // A separator is drawn on the first row after it (its label at the right).
    const separators = await rows.locator('.quick-input-list-separator:visible').allInnerTexts();
    assert.deepEqual(separators.map((t) => t.trim()).filter(Boolean), ['IAM Identity Center']);
    const pick = async (i: number) => ({
      label: (await rows.nth(i).locator('.label-name').first().innerText()).trim(),
      description: (await rows.nth(i).locator('.label-description').first().innerText()).trim(),
      separator: (await rows.nth(i).locator('.quick-input-list-separator:visible').allInnerTexts()).join('').trim(),
    });
    assert.deepEqual(await pick(0), { label: 'prod-admin', description: 'Admin · Production (111111111111)', separator: '' });
    // Production's Admin is reached by prod-admin: offered once, through that profile (as in the tree).
    assert.deepEqual(await pick(1), { label: 'ReadOnly', description: 'Production (111111111111)', separator: 'IAM Identity Center' });
    assert.deepEqual(await pick(2), { label: 'Developer', description: 'Development (222222222222)', separator: '' });
    await ui.shot('identity-center-quick-pick.png', await ui.around(ui.quickInput(), { x: 24, y: 16 }));

    // The account name is matched too.
    await ui.page.keyboard.type('Sandbox');
    await rows.filter({ hasText: 'Development' }).waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    const sandboxAdmin = rows.filter({ has: ui.page.locator('.label-name', { hasText: /^\s*Admin\s*$/ }) });
    assert.equal((await sandboxAdmin.locator('.label-description').first().innerText()).trim(), 'Sandbox (333333333333)');
    await sandboxAdmin.click();
    await ui.quickInput().waitFor({ state: 'hidden', timeout: UI_TIMEOUT });

    await ui.statusItem().filter({ hasText: 'Admin @ Sandbox' }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    assert.match((await ui.statusItem().innerText()).trim(), /^Admin @ Sandbox \d+:\d\d$/);
    const credentials = idc!.requests.filter((r) => r.operation === 'GetRoleCredentials');
    assert.deepEqual(credentials.map((r) => [r.params.account_id, r.params.role_name, r.status]), [['333333333333', 'Admin', 200]]);
  });

  it('assumes another discovered role with the inline button of its tree row; the status bar and the tree show it', async () => {
    const row = await roleRow('Development', 'Developer');
    await row.hover();
    const button = row.locator('.actions .action-label[aria-label="Assume Role"]');
    await button.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await button.click();
    await ui.statusItem().filter({ hasText: 'Developer @ Development' }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    assert.match((await ui.statusItem().innerText()).trim(), /^Developer @ Development \d+:\d\d$/);
    assert.equal(await ui.statusItem().locator('.codicon-shield').count(), 1);

    const active = await roleRow('Development', 'Developer');
    await active.locator('.codicon-pass-filled').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    assert.equal(await active.locator('.codicon-pass-filled').count(), 1, 'the active marker');
    assert.equal(await (await roleRow('Sandbox', 'Admin')).locator('.codicon-pass-filled').count(), 0, 'Sandbox Admin no longer active');
    await ui.page.mouse.move(900, 450);
    await ui.shot('identity-center-status-bar.png', await ui.statusBarClip());
    await ui.shot('identity-center-workbench.png');
  });

  it('signs out from the command palette: the tree says "not signed in"', async () => {
    await ui.openFromPalette('AWS: Sign Out of IAM Identity Center');
    await ui.page.keyboard.press('Enter');
    const toast = ui.notification('Signed out of IAM Identity Center (corp)');
    await toast.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    const session = ui.treeRow(SESSION_ROW);
    await session.locator('.label-description', { hasText: /^not signed in/ }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    assert.equal(await session.locator('.codicon-lock').count(), 1, 'the lock again');
    assert.ok(idc!.requests.some((r) => r.operation === 'Logout' && r.status === 200), 'Logout at the portal');
    await ui.page.mouse.move(900, 450);
    await ui.shot('identity-center-signed-out.png');
  });
});
