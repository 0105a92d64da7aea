/*
 * UI end-to-end test of the Profiles tree driven as a user would: a click only selects, Enter and a
 * double-click assume; the context menu on a row; the filter as you type, with its message; account
 * names from the setting and a Pinned group. Screenshots go to test-results/screenshots/ (tree.png is
 * the README's picture of the tree).
 *
 * Steps depend on each other, so the suite bails at the first failure.
 */
import * as assert from 'node:assert/strict';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchBrowser, type CodeServer } from '../harness/codeServer';
import { closeWorkbench, createAwsSandbox, ensureScreenshotDir, startWorkbenchServer, UI_TIMEOUT, WorkbenchUi, type AwsSandbox } from '../harness/workbenchUi';
import { LoopbackSts } from '../support/loopbackSts';
import { treeConfig, treeCredentials, treeSts } from '../support/roleFixtures';

describe('UI: drive the Profiles tree', function () {
  this.timeout(180_000);
  this.bail(true);

  let sts: LoopbackSts | undefined;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let ui: WorkbenchUi | undefined;
  let page: Page;
  let sandbox: AwsSandbox | undefined;

  const statusItem = () => ui!.statusItem();
  const quickInput = () => ui!.quickInput();
  const sideBar = () => ui!.sideBar();
  const rows = (): Locator => sideBar().locator('.monaco-list-row');
  const treeRow = (label: string) => ui!.treeRow(label);
  const assumeCalls = () => sts!.requests.filter((r) => r.action === 'AssumeRole').length;
  const shot = (name: string, clip?: Parameters<WorkbenchUi['shot']>[1]) => ui!.shot(name, clip);
  /** The activity bar and the side bar: the view as it sits in the window. */
  const sideBarClip = () => ui!.sideBarClip();

  before(async function () {
    ensureScreenshotDir();
    sts = new LoopbackSts(treeSts());
    const { url: stsUrl } = await sts.start();
    sandbox = createAwsSandbox('tree', { config: treeConfig(stsUrl), credentials: treeCredentials() });
    server = await startWorkbenchServer(sandbox, {
      userSettings: { 'awsRoles.accountNames': { '222222222222': 'Development', '333333333333': 'Production' } },
    });
    browser = await launchBrowser();
    ui = await WorkbenchUi.open(browser, server);
    page = ui.page;
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && ui) await ui.recordFailure(this.currentTest.title, server);
  });

  after(async function () {
    this.timeout(60_000);
    await closeWorkbench(ui, browser, server);
    await sts?.stop().catch(() => undefined);
    sandbox?.remove();
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
