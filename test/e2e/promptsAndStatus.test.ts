/*
 * UI end-to-end test of issue 13, items 3 to 5: the Assume Role pick with roles first and a profile
 * with a config problem marked (picking it offers Open Config at This Profile), the MFA prompt that
 * keeps an empty Enter and re-opens after a refused code, and the status bar that says the profile
 * and the role, the whole chain in its tooltip, and "Renewed" after Refresh Credentials.
 * Screenshots go to test-results/screenshots/ (i13-*.png). Steps depend on each other: bail at the first failure.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { launchBrowser, startCodeServer, type CodeServer } from '../harness/codeServer';
import { LoopbackSts } from '../support/loopbackSts';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const screenshotDir = path.join(repoRoot, 'test-results', 'screenshots');

const alice = {
  arn: 'arn:aws:iam::111111111111:user/alice',
  accessKeyId: 'AKIAALICEPROMPTS0001',
  secretAccessKey: 'alice-secret-key-for-prompts-0000000001',
};
const mfa = { serial: 'arn:aws:iam::111111111111:mfa/alice', userArn: alice.arn, code: '246810' };
const roles = {
  dev: 'arn:aws:iam::222222222222:role/Developer',
  deploy: 'arn:aws:iam::333333333333:role/Deploy',
  prod: 'arn:aws:iam::444444444444:role/ProdAdmin',
};

const STATUS_ITEM = '[id="aws-role-switcher.aws-role-switcher.awsRoles.identity"]';
const QUICK_INPUT = '.quick-input-widget';
const UI_TIMEOUT = 20_000;

function fixtureConfig(stsUrl: string): string {
  return `[services local-sts]
sts =
  endpoint_url = ${stsUrl}

[profile demo]
region = eu-west-1
services = local-sts

[profile dev]
role_arn = ${roles.dev}
source_profile = demo
region = eu-west-1
services = local-sts

[profile deploy]
role_arn = ${roles.deploy}
source_profile = dev
region = eu-west-1
services = local-sts

[profile prod]
role_arn = ${roles.prod}
source_profile = demo
mfa_serial = ${mfa.serial}
region = eu-west-1
services = local-sts

[profile staging]
role_arn = ${roles.dev}
source_profile = stagin
region = eu-west-1
`;
}

function fixtureCredentials(): string {
  // "admin-keys" sorts before every role profile: with no history it used to be the first row.
  return `[admin-keys]
aws_access_key_id = ${alice.accessKeyId}
aws_secret_access_key = ${alice.secretAccessKey}

[demo]
aws_access_key_id = ${alice.accessKeyId}
aws_secret_access_key = ${alice.secretAccessKey}
`;
}

describe('UI: prompts that forgive, roles first, the status bar in your own words', function () {
  this.timeout(180_000);
  this.bail(true);

  let sts: LoopbackSts | undefined;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let sandbox: string | undefined;
  const browserErrors: string[] = [];

  const statusItem = (): Locator => page.locator(STATUS_ITEM);
  const quickInput = (): Locator => page.locator(QUICK_INPUT);
  const quickPickRows = (): Locator => quickInput().locator('.quick-input-list .monaco-list-row');
  const message = (): Locator => quickInput().locator('.quick-input-message');
  const title = (text: string): Locator => quickInput().locator('.quick-input-title', { hasText: text });

  async function openFromPalette(command: string): Promise<void> {
    await page.locator('.part.editor').click();
    await page.keyboard.press('F1');
    await quickInput().locator('.quick-input-box input').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await page.keyboard.type(command);
    await quickPickRows().filter({ hasText: command }).first().waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await page.keyboard.press('Enter');
  }

  async function shot(name: string, clip?: { x: number; y: number; width: number; height: number }): Promise<string> {
    const file = path.join(screenshotDir, name);
    await page.screenshot({ path: file, clip, animations: 'disabled', caret: 'hide' });
    return file;
  }

  async function around(locator: Locator, margin: number | { x: number; y: number }): Promise<{ x: number; y: number; width: number; height: number }> {
    const box = await locator.boundingBox();
    assert.ok(box, 'element has a bounding box');
    const vp = page.viewportSize() ?? { width: 1400, height: 900 };
    const mx = typeof margin === 'number' ? margin : margin.x;
    const my = typeof margin === 'number' ? margin : margin.y;
    const x = Math.max(0, box.x - mx);
    const y = Math.max(0, box.y - my);
    return { x, y, width: Math.min(vp.width, box.x + box.width + mx) - x, height: Math.min(vp.height, box.y + box.height + my) - y };
  }

  async function statusBarClip(extra = 160): Promise<{ x: number; y: number; width: number; height: number }> {
    const bar = await page.locator('.part.statusbar').boundingBox();
    const item = await statusItem().boundingBox();
    assert.ok(bar && item, 'status bar and item have bounding boxes');
    return { x: bar.x, y: bar.y, width: Math.min(bar.width, Math.round(item.x + item.width + extra)), height: bar.height };
  }

  before(async function () {
    fs.mkdirSync(screenshotDir, { recursive: true });
    sts = new LoopbackSts({
      users: [alice],
      roles: [
        { arn: roles.dev, trustedPrincipals: [alice.arn] },
        { arn: roles.deploy, trustedPrincipals: [roles.dev] },
        { arn: roles.prod, trustedPrincipals: [alice.arn], requireMfa: true },
      ],
      mfaDevices: [mfa],
    });
    const { url: stsUrl } = await sts.start();
    sandbox = fs.mkdtempSync(path.join(os.tmpdir(), 'aws-roles-e2e-i13-'));
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
      env: { HOME: home, SHELL: '/bin/bash', AWS_CONFIG_FILE: configPath, AWS_SHARED_CREDENTIALS_FILE: credentialsPath },
      userSettings: {
        'workbench.colorTheme': 'Default Dark Modern',
        'window.menuBarVisibility': 'compact',
        'workbench.layoutControl.enabled': false,
        'chat.commandCenter.enabled': false,
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
        'workbench.startupEditor': 'none',
      },
    });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1400, height: 900 }, deviceScaleFactor: 2 });
    page = await context.newPage();
    page.on('pageerror', (err) => browserErrors.push(`[pageerror] ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') browserErrors.push(`[console.error] ${msg.text()}`);
    });
    await page.goto(server.url(), { timeout: 60_000 });
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    await statusItem().filter({ hasText: 'AWS: no role' }).waitFor({ state: 'visible', timeout: 90_000 });
  });

  afterEach(async function () {
    const test = this.currentTest;
    if (test?.state !== 'failed' || !page) return;
    const slug = test.title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
    await page.screenshot({ path: path.join(screenshotDir, `failure-${slug}.png`) }).catch(() => undefined);
    if (browserErrors.length) console.log(`    browser errors:\n      ${browserErrors.slice(-10).join('\n      ')}`);
    if (server) console.log(`    code-server log tail:\n${server.logTail(15)}`);
  });

  after(async function () {
    this.timeout(60_000);
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await server?.stop().catch((e: unknown) => console.error('stopping code-server:', e));
    await sts?.stop().catch((e: unknown) => console.error('stopping LoopbackSts:', e));
    if (sandbox) fs.rmSync(sandbox, { recursive: true, force: true });
  });

  it('Assume Role with no history lists the role profiles first, keys after a separator, and marks the profile with a config error', async () => {
    await openFromPalette('AWS: Assume Role');
    await title('AWS: Assume Role').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await quickPickRows().filter({ hasText: 'admin-keys' }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    // The first .label-name of a row is its label; the detail line has one too.
    const names: string[] = [];
    for (let i = 0; i < (await quickPickRows().count()); i++) names.push((await quickPickRows().nth(i).locator('.label-name').first().innerText()).trim());
    assert.deepEqual(names, ['deploy', 'dev', 'prod', 'staging', 'admin-keys', 'demo']);
    const separator = quickPickRows().filter({ hasText: 'admin-keys' }).locator('.quick-input-list-separator');
    assert.equal((await separator.innerText()).trim(), 'access keys and other sources');
    const staging = quickPickRows().filter({ has: page.locator('.label-name', { hasText: /^\s*staging\s*$/ }) });
    assert.equal(await staging.locator('.codicon-error').count(), 1, 'marked with the error icon, as in the tree');
    assert.match(await staging.innerText(), /config error: .*stagin/);
    await page.mouse.move(1300, 850);
    await shot('i13-pick-roles-first.png', await around(quickInput(), { x: 24, y: 16 }));
  });

  it('picking the marked profile offers Open Config at This Profile, which opens the config at its section', async () => {
    await page.keyboard.type('staging');
    await quickPickRows().filter({ hasText: 'admin-keys' }).waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    await page.keyboard.press('Enter');
    await title('"staging" has a config error').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    assert.equal(await quickPickRows().count(), 1, 'an error cannot be assumed anyway');
    assert.equal((await quickPickRows().first().locator('.label-name').first().innerText()).trim(), 'Open Config at This Profile');
    await shot('i13-pick-config-problem.png', await around(quickInput(), { x: 24, y: 16 }));
    await page.keyboard.press('Enter');
    await quickInput().waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
    await page.locator('.tab', { hasText: 'config' }).first().waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    // The cursor's line is the section header.
    const current = page.locator('.part.editor .view-overlays .current-line');
    await current.first().waitFor({ state: 'attached', timeout: UI_TIMEOUT });
    const header = page.locator('.part.editor .view-lines .view-line', { hasText: '[profile staging]' });
    await header.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    const [cursorBox, headerBox] = [await current.first().boundingBox(), await header.boundingBox()];
    assert.ok(cursorBox && headerBox);
    assert.ok(Math.abs(cursorBox.y - headerBox.y) < 2, `the cursor is on [profile staging]: ${cursorBox.y} vs ${headerBox.y}`);
    await shot('i13-config-at-profile.png');
    await page.keyboard.press('ControlOrMeta+W');
  });

  it('the MFA prompt keeps an empty Enter open, and after a refused code opens again with the reason', async () => {
    sts!.reset();
    await openFromPalette('AWS: Assume Role');
    await title('AWS: Assume Role').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await page.keyboard.type('prod');
    await quickPickRows().filter({ hasText: 'admin-keys' }).waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    await page.keyboard.press('Enter');
    await title('MFA code for prod').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    assert.equal(await quickInput().locator('.quick-input-box input').getAttribute('placeholder'), '6 digits');
    await page.keyboard.press('Enter');
    await message().filter({ hasText: 'Enter the 6-digit code shown by' }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    assert.ok(await title('MFA code for prod').isVisible(), 'still open after an empty Enter');
    await shot('i13-mfa-empty-enter.png', await around(quickInput(), { x: 24, y: 16 }));

    await page.keyboard.type('000000');
    await page.keyboard.press('Enter');
    await title('(try 2 of 3)').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await message().filter({ hasText: 'was not accepted' }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    assert.equal(await quickInput().locator('.quick-input-box input').inputValue(), '');
    assert.deepEqual(sts!.requests.filter((r) => r.params.TokenCode).map((r) => r.params.TokenCode), ['000000'], 'the refused code was sent once');
    await shot('i13-mfa-refused.png', await around(quickInput(), { x: 24, y: 16 }));

    await page.keyboard.type(mfa.code);
    await page.keyboard.press('Enter');
    await quickInput().waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
    await statusItem().filter({ hasText: 'prod · ProdAdmin @ 444444444444' }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  });

  it('the status bar says the profile and the role, and its tooltip the whole chain', async () => {
    await openFromPalette('AWS: Assume Role');
    await title('AWS: Assume Role').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await page.keyboard.type('deploy');
    await quickPickRows().filter({ hasText: 'admin-keys' }).waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    await page.keyboard.press('Enter');
    await statusItem().filter({ hasText: 'deploy · Deploy @ 333333333333' }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    assert.match((await statusItem().innerText()).trim(), /^deploy · Deploy @ 333333333333 \d+:\d\d$/);
    await page.locator('[id="status.progress"]').waitFor({ state: 'hidden', timeout: UI_TIMEOUT }).catch(() => undefined);
    await page.mouse.move(700, 400);
    await shot('i13-status-bar.png', await statusBarClip());
    await statusItem().hover();
    const hover = page.locator('.monaco-hover:not(.hidden)', { hasText: 'Source chain' });
    await hover.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    assert.match(await hover.innerText(), /Source chain: deploy → dev → demo/);
    const box = await hover.boundingBox();
    const bar = await page.locator('.part.statusbar').boundingBox();
    assert.ok(box && bar);
    await shot('i13-status-bar-tooltip.png', { x: 0, y: Math.max(0, box.y - 12), width: Math.min(1400, box.x + box.width + 60), height: bar.y + bar.height - Math.max(0, box.y - 12) });
    await page.mouse.move(700, 400);
  });

  it('Refresh Credentials says it renewed, in the status bar', async () => {
    await openFromPalette('AWS: Refresh Credentials');
    const renewed = page.locator('.part.statusbar', { hasText: 'Renewed the AWS credentials of deploy' });
    await renewed.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await page.mouse.move(700, 400);
    await shot('i13-status-bar-renewed.png', await statusBarClip(520));
  });
});
