/*
 * UI end-to-end test of editing the shared files: completion with documentation in ~/.aws/config,
 * and AWS: Add Role Profile's numbered steps (the source's kind, the MFA devices in use), then
 * Assume Now failing (STS does not know the role yet) and Retry succeeding. Screenshots go to
 * test-results/screenshots/ (config-completion*.png, add-role-profile-*.png).
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

const alice = { arn: 'arn:aws:iam::111111111111:user/alice', accessKeyId: 'AKIAE2ECONFIGALICE01', secretAccessKey: 'alice-e2e-config-editing-secret-0000001' };
const MFA = 'arn:aws:iam::111111111111:mfa/alice';
const DEV_ROLE = 'arn:aws:iam::222222222222:role/Developer';
const NEW_ROLE = 'arn:aws:iam::444444444444:role/Deployer';

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
role_arn = ${DEV_ROLE}
source_profile = base
mfa_serial = ${MFA}
region = eu-west-1
services = local-sts

[profile tools]
credential_process = /usr/local/bin/get-creds
`;
}

describe('UI: editing the AWS config and adding a role profile', function () {
  this.timeout(180_000);
  this.bail(true);

  let sts: LoopbackSts | undefined;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let sandbox: string | undefined;
  let configPath = '';

  const quickInput = (): Locator => page.locator(QUICK_INPUT);
  const quickPickRows = (): Locator => quickInput().locator('.quick-input-list .monaco-list-row');
  const title = (text: string): Locator => quickInput().locator('.quick-input-title', { hasText: text });
  const suggestWidget = (): Locator => page.locator('.editor-widget.suggest-widget');
  const suggestDetails = (): Locator => page.locator('.suggest-details-container .suggest-details');

  async function openFromPalette(command: string): Promise<void> {
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

  /** The union of the boxes of `locators`, grown by `margin` px, kept inside the viewport. */
  async function around(locators: Locator[], margin: number): Promise<{ x: number; y: number; width: number; height: number }> {
    const boxes = (await Promise.all(locators.map((l) => l.boundingBox()))).filter((b): b is NonNullable<typeof b> => b !== null);
    assert.ok(boxes.length, 'elements have bounding boxes');
    const vp = page.viewportSize() ?? { width: 1400, height: 900 };
    const x = Math.max(0, Math.min(...boxes.map((b) => b.x)) - margin);
    const y = Math.max(0, Math.min(...boxes.map((b) => b.y)) - margin);
    const right = Math.min(vp.width, Math.max(...boxes.map((b) => b.x + b.width)) + margin);
    const bottom = Math.min(vp.height, Math.max(...boxes.map((b) => b.y + b.height)) + margin);
    return { x, y, width: right - x, height: bottom - y };
  }

  /** Opens the suggest widget and waits for `label` in it, with its documentation shown beside it. */
  async function suggestWithDetails(label: string): Promise<void> {
    await page.keyboard.press('Control+Space');
    await suggestWidget().locator('.monaco-list-row', { hasText: label }).first().waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    // Control+Space again opens the details pane when it is closed; VS Code remembers the choice.
    if (!(await suggestDetails().isVisible())) await page.keyboard.press('Control+Space');
    await suggestDetails().waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  }

  before(async function () {
    fs.mkdirSync(screenshotDir, { recursive: true });
    sts = new LoopbackSts({ users: [alice], roles: [{ arn: DEV_ROLE, trustedPrincipals: [alice.arn] }] });
    const { url: stsUrl } = await sts.start();
    sandbox = fs.mkdtempSync(path.join(os.tmpdir(), 'aws-roles-e2e-config-'));
    const home = path.join(sandbox, 'home');
    const workspace = path.join(sandbox, 'workspace');
    configPath = path.join(home, '.aws', 'config');
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
        'editor.minimap.enabled': false,
        // The typing below is thrown away by File: Revert File; an auto-save would write half a profile.
        'files.autoSave': 'off',
      },
    });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1400, height: 900 }, deviceScaleFactor: 2 });
    page = await context.newPage();
    await page.goto(server.url(), { timeout: 60_000 });
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    await page.locator(STATUS_ITEM).filter({ hasText: 'AWS: no role' }).waitFor({ state: 'visible', timeout: 90_000 });
  });

  afterEach(async function () {
    const test = this.currentTest;
    if (test?.state !== 'failed' || !page) return;
    const slug = test.title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
    await page.screenshot({ path: path.join(screenshotDir, `failure-${slug}.png`) }).catch(() => undefined);
    if (server) console.log(`    code-server log tail:\n${server.logTail(40)}`);
  });

  after(async function () {
    this.timeout(60_000);
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await server?.stop().catch((e: unknown) => console.error('stopping code-server:', e));
    await sts?.stop().catch(() => undefined);
    if (sandbox) fs.rmSync(sandbox, { recursive: true, force: true });
  });

  it('completes the keys of a profile in ~/.aws/config, with their meaning', async () => {
    await page.locator('.part.editor').click();
    await openFromPalette('AWS: Open AWS Config File');
    const editor = page.locator('.part.editor .monaco-editor').first();
    await editor.locator('.view-line', { hasText: '[profile tools]' }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await editor.locator('.view-lines').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    await suggestWithDetails('role_arn');
    const rows = (await suggestWidget().locator('.monaco-list-row').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    assert.ok(rows.some((r) => r.startsWith('role_arn')), rows.join(' | '));
    assert.match(await suggestDetails().innerText(), /The role to assume/);
    assert.ok(rows[0].startsWith('role_arn'), `the role keys first: ${rows.join(' | ')}`);
    // The documentation follows the selection.
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowDown');
    await suggestDetails().filter({ hasText: 'DurationSeconds' }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await page.waitForTimeout(500);
    assert.ok(await suggestWidget().isVisible(), 'the list is still open before the picture');
    await shot('config-completion.png', await around([suggestWidget(), suggestDetails(), editor.locator('.view-line', { hasText: '[profile tools]' })], 16));
    assert.ok(await suggestWidget().isVisible(), 'the list is still open after the picture');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+Space');
    await suggestWidget().locator('.monaco-list-row', { hasText: 'role_arn' }).first().waitFor({ state: 'visible', timeout: UI_TIMEOUT });

    // Accept role_arn, type a value, then the source_profile line offers the profiles with their kinds.
    await page.keyboard.press('Escape');
    await page.keyboard.type('role_arn = arn:aws:iam::444444444444:role/Tools', { delay: 10 });
    // Escape first: Enter would accept whatever word the editor suggests for "Tools".
    await page.keyboard.press('Escape');
    await page.keyboard.press('Enter');
    await page.keyboard.type('source_profile = ', { delay: 30 });
    await suggestWidget().locator('.monaco-list-row', { hasText: 'base' }).first().waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    const values = (await suggestWidget().locator('.monaco-list-row').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    assert.ok(values.some((v) => /^base\b.*access keys/.test(v)), values.join(' | '));
    assert.ok(values.some((v) => /^dev\b.*role/.test(v)), values.join(' | '));
    assert.ok(!values.some((v) => v.startsWith('tools')), 'not the profile itself');
    await shot('config-completion-source-profile.png', await around([suggestWidget(), editor.locator('.view-line', { hasText: 'role_arn = arn:aws:iam::444444444444' })], 16));
    await page.keyboard.press('Escape');

    // Leave the file as it is on disk, so Add Role Profile's write is the only change.
    await openFromPalette('File: Revert File');
    await editor.locator('.view-line', { hasText: 'role/Tools' }).waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
    await openFromPalette('View: Close All Editors');
  });

  it('Add Role Profile numbers its steps, shows each source\'s kind and the MFA devices in use', async () => {
    await page.locator('.part.editor').click();
    await openFromPalette('AWS: Add Role Profile');
    await title('AWS: Add Role Profile (1/6)').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await page.keyboard.type(NEW_ROLE);
    await page.keyboard.press('Enter');
    await title('AWS: Add Role Profile (2/6)').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    assert.equal(await quickInput().locator('.quick-input-box input').inputValue(), 'deployer');
    await page.keyboard.press('Enter');

    await title('AWS: Add Role Profile (3/6)').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    const base = quickPickRows().filter({ hasText: 'base' }).first();
    await base.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    assert.match(await base.innerText(), /access keys · eu-west-1/);
    assert.equal(await base.locator('.codicon-key').count(), 1);
    assert.match(await quickPickRows().filter({ hasText: 'tools' }).first().innerText(), /credential process/);
    assert.match(await quickPickRows().filter({ hasText: 'dev' }).first().innerText(), /role · eu-west-1/);
    await shot('add-role-profile-source.png', await around([quickInput()], 16));
    await page.keyboard.type('base');
    await page.keyboard.press('Enter');

    await title('AWS: Add Role Profile (4/6)').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    assert.equal(await quickInput().locator('.quick-input-box input').inputValue(), 'eu-west-1', "the source's region");
    await page.keyboard.press('Enter');

    await title('AWS: Add Role Profile (5/6)').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await quickPickRows().filter({ hasText: MFA }).first().waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    assert.match(await quickPickRows().first().innerText(), /used by dev/);
    await shot('add-role-profile-mfa.png', await around([quickInput()], 16));
    await page.keyboard.type('No MFA');
    await page.keyboard.press('Enter');
    await title('AWS: Add Role Profile (6/6)').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await page.keyboard.press('Enter');
    await quickInput().waitFor({ state: 'hidden', timeout: UI_TIMEOUT });

    const expected = `[profile deployer]\nrole_arn = ${NEW_ROLE}\nsource_profile = base\nregion = eu-west-1\nservices = local-sts\n`;
    const deadline = Date.now() + UI_TIMEOUT;
    while (!fs.readFileSync(configPath, 'utf8').endsWith(expected) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const text = fs.readFileSync(configPath, 'utf8');
    assert.ok(text.endsWith(expected), text);
  });

  it('a failed Assume Now offers Retry, which switches once the role can be assumed', async () => {
    const toast = (text: string | RegExp): Locator => page.locator('.notification-toast').filter({ hasText: text });
    const added = toast('Added profile "deployer"');
    await added.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    assert.match(await added.innerText(), /services = local-sts/);
    await added.getByRole('button', { name: 'Assume Now' }).click();

    const failed = toast('assuming it failed');
    await failed.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await shot('add-role-profile-retry.png', await around([page.locator('.notifications-toasts')], 8));
    // The role's trust policy is fixed (the stand-in learns the role); Retry switches.
    sts!.addRole({ arn: NEW_ROLE, trustedPrincipals: [alice.arn] });
    await failed.getByRole('button', { name: 'Retry' }).click();
    await page.locator(STATUS_ITEM).filter({ hasText: /deployer|Deployer/ }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  });
});
