/*
 * UI end-to-end test: the real workbench (code-server) driven through chromium with playwright-core, the
 * extension under development loaded from the repo, and a local STS (LoopbackSts) running in THIS (mocha) process.
 *
 * Walks the main flow a user sees: no role in the status bar -> the Profiles tree -> "AWS: Assume Role" from the
 * command palette -> MFA prompt (with validation) -> live countdown in the status bar + active marker in the tree
 * -> status bar actions -> Drop Credentials -> notification. Screenshots go to test-results/screenshots/
 * (overwritten each run, ignored by git; `npm run screenshots` copies them into media/screenshots/ for the README);
 * a failing test leaves test-results/screenshots/failure-<test>.png.
 *
 * Steps depend on each other, so the suite bails at the first failure.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, startCodeServer, type CodeServer } from '../harness/codeServer';
import { prepareScreenshotDir, STATUS_ITEM, UI_TIMEOUT, WorkbenchUi } from '../harness/workbenchUi';
import { FakeFederation } from '../support/fakeFederation';
import { LoopbackSts } from '../support/loopbackSts';

const repoRoot = path.resolve(__dirname, '..', '..', '..');

const alice = {
  arn: 'arn:aws:iam::111111111111:user/alice',
  accessKeyId: 'AKIAALICEEXAMPLE0001',
  secretAccessKey: 'alice-secret-key-for-tests-0000000000001',
};
const mfa = { serial: 'arn:aws:iam::111111111111:mfa/alice', userArn: alice.arn, code: '246810' };
const roles = {
  devAdmin: 'arn:aws:iam::222222222222:role/Admin',
  prodAdmin: 'arn:aws:iam::333333333333:role/ProdAdmin',
  prodReadOnly: 'arn:aws:iam::333333333333:role/ProdReadOnly',
  prodSpare: 'arn:aws:iam::333333333333:role/ProdSpare',
};
/** A second device of alice's, so the refresh test starts an MFA session of its own. */
const spareMfa = { serial: 'arn:aws:iam::111111111111:mfa/alice-spare', userArn: 'arn:aws:iam::111111111111:user/alice', code: '135790' };

const COUNTDOWN = /(\d+):(\d\d)/;

function fixtureConfig(stsUrl: string): string {
  return `[default]
region = eu-west-1

[services local-sts]
sts =
  endpoint_url = ${stsUrl}

[profile base]
region = eu-west-1
services = local-sts

[profile dev-admin]
role_arn = ${roles.devAdmin}
source_profile = base
region = eu-west-1
services = local-sts

[profile prod-admin]
role_arn = ${roles.prodAdmin}
source_profile = base
mfa_serial = ${mfa.serial}
region = eu-west-1
services = local-sts

[profile prod-readonly]
role_arn = ${roles.prodReadOnly}
source_profile = base
mfa_serial = ${mfa.serial}
region = eu-west-1
services = local-sts

[profile prod-spare]
role_arn = ${roles.prodSpare}
source_profile = base
mfa_serial = ${spareMfa.serial}
region = eu-west-1
services = local-sts
`;
}

function fixtureCredentials(): string {
  return `[base]
aws_access_key_id = ${alice.accessKeyId}
aws_secret_access_key = ${alice.secretAccessKey}
`;
}

function countdownSeconds(text: string): number {
  const m = COUNTDOWN.exec(text);
  assert.ok(m, `a countdown in "${text}"`);
  return Number(m[1]) * 60 + Number(m[2]);
}

describe('UI: assume a role with MFA from the command palette', function () {
  this.timeout(180_000);
  this.bail(true);

  let sts: LoopbackSts | undefined;
  let federation: FakeFederation | undefined;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let ui: WorkbenchUi | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let sandbox: string | undefined;

  const statusItem = () => ui!.statusItem();
  const quickInput = () => ui!.quickInput();
  const sideBar = () => ui!.sideBar();
  const treeRow = (label: string) => ui!.treeRow(label);
  const quickPickRows = () => ui!.quickPickRows();
  const openFromPalette = (title: string) => ui!.openFromPalette(title);
  const shot = (name: string, clip?: Parameters<WorkbenchUi['shot']>[1]) => ui!.shot(name, clip);
  const around = (...args: Parameters<WorkbenchUi['around']>) => ui!.around(...args);
  const statusBarClip = () => ui!.statusBarClip();

  before(async function () {
    prepareScreenshotDir();

    sts = new LoopbackSts({
      users: [alice],
      roles: [
        { arn: roles.devAdmin, trustedPrincipals: [alice.arn] },
        { arn: roles.prodAdmin, trustedPrincipals: [alice.arn], requireMfa: true },
        { arn: roles.prodReadOnly, trustedPrincipals: [alice.arn], requireMfa: true },
        { arn: roles.prodSpare, trustedPrincipals: [alice.arn], requireMfa: true },
      ],
      mfaDevices: [mfa, spareMfa],
    });
    const { url: stsUrl } = await sts.start();
    federation = new FakeFederation(sts);
    await federation.start();

    sandbox = fs.mkdtempSync(path.join(os.tmpdir(), 'aws-roles-e2e-'));
    const home = path.join(sandbox, 'home');
    const workspace = path.join(sandbox, 'workspace');
    const configPath = path.join(home, '.aws', 'config');
    const credentialsPath = path.join(home, '.aws', 'credentials');
    fs.mkdirSync(path.dirname(configPath), { recursive: true, mode: 0o700 });
    fs.mkdirSync(workspace, { recursive: true });
    fs.writeFileSync(configPath, fixtureConfig(stsUrl));
    fs.writeFileSync(credentialsPath, fixtureCredentials(), { mode: 0o600 });

    server = await startCodeServer({
      extensionDevelopmentPath: repoRoot,
      workspace,
      env: {
        HOME: home,
        SHELL: '/bin/bash',
        AWS_CONFIG_FILE: configPath,
        AWS_SHARED_CREDENTIALS_FILE: credentialsPath,
      },
      userSettings: {
        'workbench.colorTheme': 'Default Dark Modern',
        'window.menuBarVisibility': 'compact',
        'workbench.layoutControl.enabled': false,
        'chat.commandCenter.enabled': false,
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
        'awsRoles.console.federationEndpoint': federation.url,
        'awsRoles.console.startPage': 'ec2',
      },
    });
    browser = await launchBrowser();
    ui = await WorkbenchUi.open(browser, server);
    context = ui.context;
    page = ui.page;
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && ui) await ui.recordFailure(this.currentTest.title, server);
  });

  after(async function () {
    this.timeout(60_000);
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await server?.stop().catch((e: unknown) => console.error('stopping code-server:', e));
    await sts?.stop().catch((e: unknown) => console.error('stopping LoopbackSts:', e));
    await federation?.stop().catch(() => undefined);
    if (sandbox) fs.rmSync(sandbox, { recursive: true, force: true });
  });

  it('shows "AWS: no role" in the status bar once the extension is active', async () => {
    // onStartupFinished activation can take a while on a cold code-server.
    await statusItem().filter({ hasText: 'AWS: no role' }).waitFor({ state: 'visible', timeout: 90_000 });
    assert.equal((await statusItem().innerText()).trim(), 'AWS: no role');
    assert.equal(await statusItem().locator('.codicon-shield').count(), 1, 'shield icon');
    assert.equal(await statusItem().getAttribute('aria-label'), 'No AWS role active. Assume a role.');
    // Let the "Activating Extensions..." progress item go away before the picture.
    await page.locator('[id="status.progress"]').waitFor({ state: 'hidden', timeout: UI_TIMEOUT }).catch(() => undefined);
    await shot('status-bar-none.png', await statusBarClip());
  });

  it('lists the role profiles in the "AWS Roles" view, grouped by account', async () => {
    await ui!.showAwsRolesView();
    for (const [account, profile, description] of [
      ['222222222222', 'dev-admin', 'Admin'],
      ['333333333333', 'prod-admin', 'ProdAdmin · MFA'],
      ['333333333333', 'prod-readonly', 'ProdReadOnly · MFA'],
    ]) {
      await sideBar().locator('.monaco-list-row', { hasText: `Account ${account}` }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
      const row = treeRow(profile);
      await row.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
      assert.equal((await row.locator('.label-description').innerText()).trim(), description);
      assert.equal(await row.getAttribute('aria-level'), '2', `${profile} is nested under its account group`);
    }
    // Rows are in order: each profile comes right after its account group.
    const labels = (await sideBar().locator('.monaco-list-row .label-name').allInnerTexts()).map((s) => s.trim());
    const at = (s: string) => labels.indexOf(s);
    assert.ok(at('Account 222222222222') >= 0 && at('dev-admin') === at('Account 222222222222') + 1, `dev-admin under its account: ${labels.join(' | ')}`);
    assert.ok(at('Account 333333333333') >= 0 && at('prod-admin') === at('Account 333333333333') + 1, `prod-admin under its account: ${labels.join(' | ')}`);
    assert.equal(at('prod-readonly'), at('prod-admin') + 1, `prod-readonly under the same account: ${labels.join(' | ')}`);
    assert.equal(await treeRow('prod-admin').locator('.codicon-pass-filled').count(), 0, 'nothing active yet');
    // Activity bar (with the AWS Roles icon selected) + side bar.
    await shot('tree-accounts.png', await ui!.sideBarClip());
  });

  it('assumes the MFA role through "AWS: Assume Role" in the command palette', async () => {
    sts!.reset();
    // Keyboard focus into the workbench, then open the command palette.
    await page.locator('.part.editor').click();
    await page.keyboard.press('F1');
    const input = quickInput().locator('.quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await page.keyboard.type('AWS: Assume Role');
    await quickPickRows().filter({ hasText: 'AWS: Assume Role' }).first().waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await page.keyboard.press('Enter');

    // The profile quick pick.
    await quickInput().locator('.quick-input-title', { hasText: 'AWS: Assume Role' }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await quickPickRows().filter({ hasText: 'prod-admin' }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    const rowText = async (name: string) =>
      quickPickRows().filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${name}\\s*$`) }) }).locator('.label-description').innerText();
    assert.equal((await rowText('prod-admin')).trim(), 'ProdAdmin · 333333333333');
    assert.equal((await rowText('dev-admin')).trim(), 'Admin · 222222222222');
    // Profiles of every kind can be picked; the access-key profile says what it is.
    assert.equal((await rowText('base')).trim(), 'access keys');
    await page.keyboard.type('prodadmin');
    await quickPickRows().filter({ hasText: 'dev-admin' }).waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    assert.equal(await quickPickRows().count(), 1, 'only prod-admin is left after typing "prodadmin" (matched on the role name)');
    await shot('quick-pick.png', await around(quickInput(), { x: 24, y: 16 }));
    await page.keyboard.press('Enter');

    // The MFA input box.
    await quickInput().locator('.quick-input-title', { hasText: 'MFA code for prod-admin' }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    assert.match(await quickInput().locator('.quick-input-message').innerText(), new RegExp(`6-digit code from ${mfa.serial.replace(/[/]/g, '\\/')}`));
    await page.keyboard.type('12ab');
    const message = quickInput().locator('.quick-input-message');
    await message.filter({ hasText: 'An MFA code is 6 digits.' }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await page.keyboard.press('Enter'); // refused while invalid
    await quickInput().locator('.quick-input-title', { hasText: 'MFA code for prod-admin' }).waitFor({ state: 'visible', timeout: 2_000 });
    assert.equal(sts!.requests.filter((r) => r.action === 'AssumeRole').length, 0, 'no STS call with a malformed code');
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type(mfa.code);
    await message.filter({ hasNotText: 'An MFA code is 6 digits.' }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await shot('mfa-input.png', await around(quickInput(), { x: 24, y: 16 }));
    await page.keyboard.press('Enter');
    await quickInput().waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
  });

  it('shows the role, account and a live countdown in the status bar', async () => {
    await statusItem().filter({ hasText: 'prod-admin · ProdAdmin @ 333333333333' }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    const first = (await statusItem().innerText()).trim();
    assert.match(first, /^prod-admin · ProdAdmin @ 333333333333 \d+:\d\d$/);
    assert.equal(await statusItem().locator('.codicon-shield').count(), 1, 'shield icon, not the warning one');
    const before = countdownSeconds(first);
    assert.ok(before > 55 * 60 && before <= 60 * 60, `about an hour left: ${first}`);
    // Live: the text changes on its own within ~2 s.
    const t0 = Date.now();
    await statusItem().filter({ hasNotText: first }).waitFor({ state: 'visible', timeout: 5_000 });
    const second = (await statusItem().innerText()).trim();
    assert.ok(countdownSeconds(second) < before, `counts down: "${first}" -> "${second}" after ${Date.now() - t0} ms`);
    await shot('status-bar-active.png', await statusBarClip());
  });

  it('marks prod-admin as active in the tree, after exactly one AssumeRole with MFA', async () => {
    const row = treeRow('prod-admin');
    await row.locator('.codicon-pass-filled').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    assert.equal(await row.locator('.codicon-pass-filled').count(), 1, 'pass-filled icon on the active row: the one active marker');
    assert.equal((await row.locator('.label-description').innerText()).trim(), 'ProdAdmin · MFA', 'the account is its group; MFA marked');
    assert.equal(await treeRow('dev-admin').locator('.codicon-pass-filled').count(), 0, 'dev-admin is not active');
    assert.doesNotMatch(await treeRow('dev-admin').locator('.label-description').innerText(), /active/);

    // The code went into one MFA session (GetSessionToken), and the role was assumed from it.
    const log = JSON.stringify(sts!.requests.map((r) => [r.action, r.status, r.errorCode]));
    const gst = sts!.requests.filter((r) => r.action === 'GetSessionToken');
    assert.equal(gst.length, 1, `one GetSessionToken: ${log}`);
    assert.equal(gst[0].params.SerialNumber, mfa.serial);
    assert.equal(gst[0].params.TokenCode, mfa.code);
    assert.equal(gst[0].accessKeyId, alice.accessKeyId);
    const calls = sts!.requests.filter((r) => r.action === 'AssumeRole');
    assert.equal(calls.length, 1, `one AssumeRole: ${log}`);
    assert.equal(calls[0].status, 200);
    assert.equal(calls[0].params.RoleArn, roles.prodAdmin);
    assert.equal(calls[0].params.TokenCode, undefined, 'no code on the AssumeRole itself');
    assert.match(calls[0].accessKeyId ?? '', /^ASIA/, 'signed with the MFA session');

    // Full window for the README: tree with the active marker + status bar with the countdown.
    await page.mouse.move(900, 450); // no hover tooltips
    await shot('workbench.png');
  });

  it('switches to a second role on the same MFA device without asking for a code again', async () => {
    sts!.reset();
    await openFromPalette('AWS: Assume Role');
    await page.keyboard.press('Enter');
    await quickInput().locator('.quick-input-title', { hasText: 'AWS: Assume Role' }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await page.keyboard.type('prod-readonly');
    await quickPickRows().filter({ hasText: 'dev-admin' }).waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    await page.keyboard.press('Enter');
    await statusItem().filter({ hasText: 'prod-readonly · ProdReadOnly @ 333333333333' }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    assert.equal(await quickInput().locator('.quick-input-title', { hasText: 'MFA code' }).count(), 0, 'no MFA prompt');
    assert.deepEqual(sts!.requests.map((r) => r.action), ['AssumeRole'], 'no new GetSessionToken, no code');
    assert.equal(sts!.requests[0].params.RoleArn, roles.prodReadOnly);
  });

  it('keeps the role across a window reload, without a prompt or an STS call', async () => {
    sts!.reset();
    await page.reload();
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    await statusItem().filter({ hasText: 'prod-readonly · ProdReadOnly @ 333333333333' }).waitFor({ state: 'visible', timeout: 90_000 });
    assert.equal(await quickInput().locator('.quick-input-title', { hasText: 'MFA code' }).count(), 0, 'no MFA prompt');
    assert.deepEqual(sts!.requests.map((r) => r.action), [], 'restored from secret storage, not from STS');
  });

  it('a second window of the same workspace starts with the same role, also without a prompt or an STS call', async () => {
    // Stored sessions are per window key (remote + workspace): this page opens the same folder on
    // the same code-server, so it has the same key. Another workspace would start with no role.
    sts!.reset();
    const second = await context!.newPage();
    try {
      await second.goto(server!.url(), { timeout: 60_000 });
      await second.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
      await second.locator(STATUS_ITEM).filter({ hasText: 'prod-readonly · ProdReadOnly @ 333333333333' }).waitFor({ state: 'visible', timeout: 90_000 });
      assert.deepEqual(sts!.requests.map((r) => r.action), []);
    } finally {
      await second.close();
    }
  });

  it('opens the console as the role: a sign-in token for the session, then a browser window', async () => {
    federation!.requests.length = 0;
    await openFromPalette('AWS: Open Console as Role');
    const popup = context!.waitForEvent('page', { timeout: UI_TIMEOUT });
    await page.keyboard.press('Enter');
    // VS Code may ask before opening an external site; localhost links usually open straight away.
    const confirm = page.locator('.monaco-dialog-box .monaco-button', { hasText: /^Open$/ });
    await confirm.click({ timeout: 3_000 }).catch(() => undefined);
    const opened = await popup;
    // code-server maps a loopback URL to its own /proxy/PORT/ (dropping path and query), so the
    // page proves a browser window was opened; the URL itself is checked against this same fake
    // in the unit test, and its destination in the integration test. A signin.aws.amazon.com URL
    // is opened as it is.
    assert.match(opened.url(), /^http:\/\/127\.0\.0\.1:\d+\//);
    const tokenRequest = federation!.requests.find((r) => r.action === 'getSigninToken');
    assert.equal(tokenRequest?.status, 200);
    // The role came from an MFA session: role chaining, so federation allows one hour; and the
    // console session never outlives the role session, which began a little earlier.
    const duration = tokenRequest?.sessionDuration ?? 0;
    assert.ok(duration >= 900 && duration <= 3600, `console session ${duration} s`);
    assert.equal(tokenRequest?.method, 'POST');
    assert.match(tokenRequest?.sessionArn ?? '', /assumed-role\/ProdReadOnly\//);
    await opened.close();
  });

  it('offers the export formats of Copy Credentials', async () => {
    await openFromPalette('AWS: Copy Credentials');
    await page.keyboard.press('Enter');
    await quickInput().locator('.quick-input-title', { hasText: 'AWS: Copy Credentials of prod-readonly' }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    const formats = (await quickPickRows().locator('.label-name').allInnerTexts()).map((s) => s.trim());
    assert.deepEqual(formats, ['bash / zsh', 'fish', 'PowerShell', 'Windows cmd', '.env file', 'credential_process JSON']);
    await shot('copy-credentials.png', await around(quickInput(), { x: 24, y: 16 }));
    await page.keyboard.press('Escape');
    await quickInput().waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
  });

  it('drops the credentials from the status bar actions', async () => {
    await statusItem().click();
    await quickInput().locator('.quick-input-title', { hasText: 'AWS: ProdReadOnly' }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    const labels = (await quickPickRows().locator('.label-name').allInnerTexts()).map((s) => s.trim());
    for (const want of ['Switch Role…', 'Show Caller Identity', 'Refresh Credentials', 'Copy Credentials…', 'Open Console as Role', 'Drop Credentials']) {
      assert.ok(labels.includes(want), `"${want}" in ${JSON.stringify(labels)}`);
    }
    await shot('status-actions.png', await around(quickInput(), { x: 24, y: 16 }));
    await quickPickRows().filter({ hasText: 'Drop Credentials' }).click();
    await quickInput().waitFor({ state: 'hidden', timeout: UI_TIMEOUT });

    await statusItem().filter({ hasText: 'AWS: no role' }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'were dropped' });
    await toast.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    assert.match(await toast.innerText(), /AWS credentials for "prod-readonly" were dropped/);
    assert.equal(await toast.locator('.codicon-info').count(), 1, 'an information (not warning/error) notification');
    await toast.locator('.monaco-button', { hasText: 'Assume again' }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await treeRow('prod-readonly').locator('.codicon-pass-filled').waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    await page.mouse.move(900, 450);
    await shot('notification-dropped.png');
  });

  it('asks for an MFA code ahead of time, without taking focus, when a background refresh needs one', async () => {
    // 20-second sessions (the MFA session too, on a device not used yet): the refresh comes at once and needs a code.
    sts!.setMaxIssuedSeconds(20);
    try {
      await openFromPalette('AWS: Assume Role');
      await page.keyboard.press('Enter');
      await quickInput().locator('.quick-input-title', { hasText: 'AWS: Assume Role' }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
      await page.keyboard.type('prod-spare');
      await quickPickRows().filter({ hasText: 'dev-admin' }).waitFor({ state: 'detached', timeout: UI_TIMEOUT });
      await page.keyboard.press('Enter');
      await quickInput().locator('.quick-input-title', { hasText: 'MFA code for prod-spare' }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
      await page.keyboard.type(spareMfa.code);
      await page.keyboard.press('Enter');
      await statusItem().filter({ hasText: 'prod-spare · ProdSpare @ 333333333333' }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
      // Halfway through the 20 s the refresh runs in the background and finds it needs a code.
      await statusItem().locator('.codicon-lock').waitFor({ state: 'visible', timeout: 20_000 });
      const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'Enter an MFA code to renew them' });
      await toast.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
      assert.equal(await quickInput().isVisible(), false, 'no prompt took focus');
      await page.mouse.move(900, 450);
      await shot('refresh-needs-mfa.png');
      // One click on the notification, one code: renewed, the lock gone.
      sts!.setMfaCode(spareMfa.serial, '246802');
      sts!.setMaxIssuedSeconds(undefined);
      await toast.locator('.monaco-button', { hasText: 'Enter MFA code' }).click();
      await quickInput().locator('.quick-input-title', { hasText: 'MFA code for prod-spare' }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
      await page.keyboard.type('246802');
      await page.keyboard.press('Enter');
      await statusItem().locator('.codicon-shield').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
      assert.ok(countdownSeconds((await statusItem().innerText()).trim()) > 50 * 60, 'a full hour again');
    } finally {
      sts!.setMaxIssuedSeconds(undefined);
    }
  });
});
