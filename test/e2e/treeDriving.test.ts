/*
 * UI end-to-end test of the Profiles tree driven as a user would: a click only selects, Enter and a
 * double-click assume; the context menu on a row; the filter as you type, with its message; account
 * names from the setting and a Pinned group. Screenshots go to test-results/screenshots/ (tree.png is
 * the README's picture of the tree).
 *
 * Steps depend on each other, so the suite bails at the first failure.
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

const alice = { arn: 'arn:aws:iam::111111111111:user/alice', accessKeyId: 'AKIAALICETREEUI00001', secretAccessKey: 'alice-secret-key-for-tree-ui-tests-00001' };
const roles = {
  dev: 'arn:aws:iam::222222222222:role/Developer',
  deploy: 'arn:aws:iam::333333333333:role/Deployer',
  guarded: 'arn:aws:iam::333333333333:role/Guarded',
};

const STATUS_ITEM = '[id="aws-role-switcher.aws-role-switcher.awsRoles.identity"]';
const QUICK_INPUT = '.quick-input-widget';
const UI_TIMEOUT = 20_000;

function fixtureConfig(stsUrl: string): string {
  return `[services local-sts]
sts =
  endpoint_url = ${stsUrl}

[profile base]
region = eu-west-1
services = local-sts

[profile dev]
role_arn = ${roles.dev}
source_profile = base
region = eu-west-1
services = local-sts

[profile deploy]
role_arn = ${roles.deploy}
source_profile = dev
region = eu-west-1
services = local-sts

[profile guarded]
role_arn = ${roles.guarded}
source_profile = base
mfa_serial = arn:aws:iam::111111111111:mfa/alice
region = eu-west-1
services = local-sts
`;
}

describe('UI: drive the Profiles tree', function () {
  this.timeout(180_000);
  this.bail(true);

  let sts: LoopbackSts | undefined;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let sandbox: string | undefined;

  const statusItem = (): Locator => page.locator(STATUS_ITEM);
  const quickInput = (): Locator => page.locator(QUICK_INPUT);
  const sideBar = (): Locator => page.locator('.part.sidebar');
  const rows = (): Locator => sideBar().locator('.monaco-list-row');
  const treeRow = (label: string): Locator => rows().filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${label}$`) }) });
  const assumeCalls = () => sts!.requests.filter((r) => r.action === 'AssumeRole').length;

  async function shot(name: string, clip?: { x: number; y: number; width: number; height: number }): Promise<string> {
    const file = path.join(screenshotDir, name);
    await page.screenshot({ path: file, clip, animations: 'disabled', caret: 'hide' });
    return file;
  }

  /** The activity bar and the side bar: the view as it sits in the window. */
  async function sideBarClip(): Promise<{ x: number; y: number; width: number; height: number }> {
    const bar = await page.locator('.part.activitybar').boundingBox();
    const side = await sideBar().boundingBox();
    assert.ok(bar && side, 'activity bar and side bar have bounding boxes');
    return { x: bar.x, y: side.y, width: side.x + side.width - bar.x, height: side.height };
  }

  before(async function () {
    fs.mkdirSync(screenshotDir, { recursive: true });
    sts = new LoopbackSts({
      users: [alice],
      roles: [
        { arn: roles.dev, trustedPrincipals: [alice.arn] },
        { arn: roles.deploy, trustedPrincipals: [roles.dev] },
        { arn: roles.guarded, trustedPrincipals: [alice.arn] },
      ],
    });
    const { url: stsUrl } = await sts.start();
    sandbox = fs.mkdtempSync(path.join(os.tmpdir(), 'aws-roles-e2e-tree-'));
    const home = path.join(sandbox, 'home');
    const workspace = path.join(sandbox, 'workspace');
    const configPath = path.join(home, '.aws', 'config');
    const credentialsPath = path.join(home, '.aws', 'credentials');
    fs.mkdirSync(path.dirname(configPath), { recursive: true, mode: 0o700 });
    fs.mkdirSync(workspace, { recursive: true });
    fs.writeFileSync(configPath, fixtureConfig(stsUrl));
    fs.writeFileSync(credentialsPath, `[base]\naws_access_key_id = ${alice.accessKeyId}\naws_secret_access_key = ${alice.secretAccessKey}\n`, { mode: 0o600 });
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
        'awsRoles.accountNames': { '222222222222': 'Development', '333333333333': 'Production' },
      },
    });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1400, height: 900 }, deviceScaleFactor: 2 });
    page = await context.newPage();
    await page.goto(server.url(), { timeout: 60_000 });
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
  });

  afterEach(async function () {
    const test = this.currentTest;
    if (test?.state !== 'failed' || !page) return;
    const slug = test.title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
    await page.screenshot({ path: path.join(screenshotDir, `failure-tree-${slug}.png`) }).catch(() => undefined);
    if (server) console.log(`    code-server log tail:\n${server.logTail(15)}`);
  });

  after(async function () {
    this.timeout(60_000);
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await server?.stop().catch((e: unknown) => console.error('stopping code-server:', e));
    await sts?.stop().catch(() => undefined);
    if (sandbox) fs.rmSync(sandbox, { recursive: true, force: true });
  });

  it('groups the accounts by their names, rows without the account id', async () => {
    await statusItem().filter({ hasText: 'AWS: no role' }).waitFor({ state: 'visible', timeout: 90_000 });
    await page.locator('.activitybar .action-label[aria-label="AWS Roles"]').click();
    await rows().filter({ hasText: 'Development (222222222222)' }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await rows().filter({ hasText: 'Production (333333333333)' }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    assert.equal((await treeRow('dev').locator('.label-description').innerText()).trim(), 'Developer');
    assert.equal((await treeRow('deploy').locator('.label-description').innerText()).trim(), 'Deployer · via dev');
    assert.equal((await treeRow('guarded').locator('.label-description').innerText()).trim(), 'Guarded · MFA');
  });

  it('a click only selects a row; Enter on it assumes the role', async () => {
    await treeRow('dev').click();
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await statusItem().innerText()).trim(), 'AWS: no role', 'a click does not assume');
    assert.equal(assumeCalls(), 0);
    assert.equal(await treeRow('dev').getAttribute('aria-selected'), 'true');
    await page.keyboard.press('Enter');
    await statusItem().filter({ hasText: 'Developer @ Development' }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    assert.equal(assumeCalls(), 1);
    await treeRow('dev').locator('.codicon-pass-filled').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    assert.equal((await treeRow('dev').locator('.label-description').innerText()).trim(), 'Developer', 'one active marker: the icon');
  });

  it('a double-click on a row assumes it', async () => {
    await treeRow('deploy').dblclick();
    await statusItem().filter({ hasText: 'Deployer @ Production' }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await treeRow('deploy').locator('.codicon-pass-filled').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    assert.equal(await treeRow('dev').locator('.codicon-pass-filled').count(), 0, 'one active row');
  });

  it('the context menu of the active row: Assume, Copy Credentials, Open Console, Open in Config, Copy Role ARN, Pin', async () => {
    await treeRow('deploy').click({ button: 'right' });
    const menu = page.locator('.context-view .monaco-menu');
    await menu.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    const items = (await menu.locator('.action-item .action-label').allInnerTexts()).map((s) => s.trim()).filter(Boolean);
    for (const title of ['Assume Role', 'Copy Credentials', 'Open Console as Role', 'Open in Config', 'Copy Role ARN', 'Pin']) assert.ok(items.includes(title), `"${title}" in ${items.join(' | ')}`);
    assert.ok(!items.includes('Unpin'), 'Unpin only on a pinned row');
    const box = await menu.boundingBox();
    const side = await sideBar().boundingBox();
    assert.ok(box && side);
    await shot('tree-context-menu.png', { x: side.x, y: side.y, width: Math.max(side.width, box.x + box.width + 16 - side.x), height: Math.min(side.height, box.y + box.height + 40 - side.y) });
    await menu.locator('.action-item', { hasText: /^Pin$/ }).click();
    await rows().filter({ hasText: 'Pinned' }).first().waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    const labels = (await rows().locator('.label-name').allInnerTexts()).map((s) => s.trim());
    assert.deepEqual(labels.slice(0, 2), ['Pinned', 'deploy'], `the Pinned group first: ${labels.join(' | ')}`);
  });

  it('Assume Role lists the pinned profile first, with its account by name', async () => {
    await page.locator('.part.editor').click();
    await page.keyboard.press('F1');
    await quickInput().locator('.quick-input-box input').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await page.keyboard.type('AWS: Assume Role');
    await quickInput().locator('.quick-input-list .monaco-list-row', { hasText: 'AWS: Assume Role' }).first().waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await page.keyboard.press('Enter');
    await quickInput().locator('.quick-input-title', { hasText: 'AWS: Assume Role' }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    const first = quickInput().locator('.quick-input-list .monaco-list-row').first();
    await first.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    const text = await first.innerText();
    assert.match(text, /deploy/, `the pinned profile first: ${text}`);
    assert.match(text, /pinned/, `under a "pinned" separator: ${text}`);
    assert.match(text, /Deployer · Production \(333333333333\)/);
    await shot('quick-pick-pinned.png', await (async () => {
      const box = await quickInput().boundingBox();
      assert.ok(box);
      return { x: box.x - 16, y: box.y - 16, width: box.width + 32, height: box.height + 32 };
    })());
    await page.keyboard.press('Escape');
    await quickInput().waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
  });

  it('filters as you type, says what it filters by, and says when nothing matches; Esc restores the previous filter', async () => {
    await sideBar().locator('.action-label[aria-label="Filter Profiles"]').first().click();
    await quickInput().locator('.quick-input-box input').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await page.keyboard.type('prod');
    // Applied before Enter.
    const message = sideBar().getByText(/Filtered by "prod": 2 profiles/);
    await message.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await treeRow('dev').waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    await page.keyboard.press('Enter');
    await quickInput().waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
    await page.mouse.move(1000, 500);
    await page.locator('.monaco-hover').waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
    await shot('tree-filter.png', await sideBarClip());

    await sideBar().locator('.action-label[aria-label="Filter Profiles"]').first().click();
    await quickInput().locator('.quick-input-box input').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('staging');
    await sideBar().getByText(/No profile matches "staging"/).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await page.mouse.move(1000, 500);
    await page.locator('.monaco-hover').waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
    await shot('tree-filter-nothing.png', await sideBarClip());
    await page.keyboard.press('Escape');
    await sideBar().getByText(/Filtered by "prod"/).waitFor({ state: 'visible', timeout: UI_TIMEOUT });

    await sideBar().locator('.action-label[aria-label="Clear Profile Filter"]').first().click();
    await message.waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    await treeRow('dev').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  });

  it('shows the tree with account names and the Pinned group (README picture)', async () => {
    await page.mouse.move(1000, 500);
    await page.locator('.part.editor').click();
    assert.equal(await treeRow('base').getAttribute('aria-level'), '2', await treeRow('base').evaluate((e) => e.outerHTML));
    await shot('tree.png', await sideBarClip());
  });
});
