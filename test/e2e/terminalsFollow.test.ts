/*
 * UI end-to-end: a terminal opened as one role, then a switch from the command palette. The
 * notification says the open terminal keeps the old role, with Relaunch Terminals, Use Endpoint
 * Mode and Don't Show Again; Relaunch Terminals gives the terminal the new role. Screenshots go to
 * test-results/screenshots/ (terminals-*.png).
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
const STATUS_ITEM = '[id="aws-role-switcher.aws-role-switcher.awsRoles.identity"]';
const QUICK_INPUT = '.quick-input-widget';
const UI_TIMEOUT = 20_000;

const alice = { arn: 'arn:aws:iam::111111111111:user/alice', accessKeyId: 'AKIAE2EFOLLOWALICE01', secretAccessKey: 'alice-e2e-follow-secret-000000000000001' };
const roles = { dev: 'arn:aws:iam::222222222222:role/Developer', deploy: 'arn:aws:iam::444444444444:role/Deploy' };

describe('UI: open terminals after a switch', function () {
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
  const quickPickRows = (): Locator => quickInput().locator('.quick-input-list .monaco-list-row');
  const terminalText = (): Locator => page.locator('.terminal-wrapper.active .xterm-rows');

  async function shot(name: string, clip?: { x: number; y: number; width: number; height: number }): Promise<void> {
    await page.screenshot({ path: path.join(screenshotDir, name), clip, animations: 'disabled', caret: 'hide' });
  }

  async function palette(title: string): Promise<void> {
    await page.keyboard.press('F1');
    await quickInput().locator('.quick-input-box input').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await page.keyboard.type(title);
    await quickPickRows().filter({ hasText: title }).first().waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await page.keyboard.press('Enter');
  }

  async function assume(profile: string, statusText: string): Promise<void> {
    await palette('AWS: Assume Role');
    await quickInput().locator('.quick-input-title', { hasText: 'AWS: Assume Role' }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await page.keyboard.type(profile);
    await quickPickRows().filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${profile}\\s*$`) }) }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await page.keyboard.press('Enter');
    await statusItem().filter({ hasText: statusText }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  }

  /** Types a line into the focused terminal and waits for its output. */
  async function inTerminal(line: string, output: RegExp): Promise<void> {
    await page.locator('.terminal-wrapper.active').click();
    await page.keyboard.type(line);
    await page.keyboard.press('Enter');
    await terminalText().filter({ hasText: output }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  }

  before(async function () {
    fs.mkdirSync(screenshotDir, { recursive: true });
    sts = new LoopbackSts({ users: [alice], roles: Object.values(roles).map((arn) => ({ arn, trustedPrincipals: [alice.arn] })) });
    const { url: stsUrl } = await sts.start();
    sandbox = fs.mkdtempSync(path.join(os.tmpdir(), 'aws-roles-e2e-follow-'));
    const home = path.join(sandbox, 'home');
    const workspace = path.join(sandbox, 'workspace');
    fs.mkdirSync(path.join(home, '.aws'), { recursive: true, mode: 0o700 });
    fs.mkdirSync(workspace, { recursive: true });
    const profile = (name: string, arn: string, region: string) => `[profile ${name}]\nrole_arn = ${arn}\nsource_profile = base\nregion = ${region}\nservices = local-sts\n`;
    fs.writeFileSync(
      path.join(home, '.aws', 'config'),
      `[services local-sts]\nsts =\n  endpoint_url = ${stsUrl}\n\n[profile base]\nregion = eu-west-1\nservices = local-sts\n\n${profile('dev', roles.dev, 'eu-west-1')}\n${profile('deploy', roles.deploy, 'eu-central-1')}`,
    );
    fs.writeFileSync(path.join(home, '.aws', 'credentials'), `[base]\naws_access_key_id = ${alice.accessKeyId}\naws_secret_access_key = ${alice.secretAccessKey}\n`, { mode: 0o600 });
    server = await startCodeServer({
      extensionDevelopmentPath: repoRoot,
      workspace,
      env: { HOME: home, SHELL: '/bin/bash', AWS_CONFIG_FILE: path.join(home, '.aws', 'config'), AWS_SHARED_CREDENTIALS_FILE: path.join(home, '.aws', 'credentials') },
      userSettings: {
        'workbench.colorTheme': 'Default Dark Modern',
        'window.menuBarVisibility': 'compact',
        'workbench.layoutControl.enabled': false,
        'chat.commandCenter.enabled': false,
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
      },
    });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1400, height: 900 }, deviceScaleFactor: 2 });
    page = await context.newPage();
    await page.goto(server.url(), { timeout: 60_000 });
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    await statusItem().filter({ hasText: 'AWS: no role' }).waitFor({ state: 'visible', timeout: 90_000 });
  });

  afterEach(async function () {
    if (this.currentTest?.state !== 'failed' || !page) return;
    const slug = this.currentTest.title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
    await page.screenshot({ path: path.join(screenshotDir, `failure-${slug}.png`) }).catch(() => undefined);
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

  it('a terminal opened as dev says so', async () => {
    await page.locator('.part.editor').click();
    await assume('dev', 'Developer @ 222222222222');
    await palette('Terminal: Create New Terminal');
    await page.locator('.terminal-wrapper.active .xterm').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await inTerminal('echo "region=$AWS_REGION"', /region=eu-west-1/);
  });

  it('after a switch, one notification names the terminal that keeps the old role, with the three ways out', async () => {
    await page.locator('.part.editor').click();
    await assume('deploy', 'Deploy @ 444444444444');
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'still has the AWS credentials' });
    await toast.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    assert.match(await toast.innerText(), /An open terminal still has the AWS credentials it was opened with, not those of profile deploy/);
    for (const button of ['Relaunch Terminals', 'Use Endpoint Mode', "Don't Show Again"]) {
      await toast.locator('.monaco-button', { hasText: button }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    }
    assert.equal(await page.locator('.notifications-toasts .notification-toast', { hasText: 'still has the AWS credentials' }).count(), 1, 'said once');
    await page.mouse.move(700, 300);
    await shot('terminals-stale-notification.png');
    const box = await toast.boundingBox();
    assert.ok(box);
    await shot('terminals-stale-notification-toast.png', { x: box.x - 16, y: box.y - 16, width: box.width + 32, height: box.height + 32 });
  });

  it('Relaunch Terminals gives the terminal the new role', async () => {
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'still has the AWS credentials' });
    await toast.locator('.monaco-button', { hasText: 'Relaunch Terminals' }).click();
    await toast.waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
    // The relaunched terminal starts empty: no old output in it.
    await terminalText().filter({ hasText: 'region=eu-west-1' }).waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    await page.locator('.terminal-wrapper.active .xterm').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await new Promise((r) => setTimeout(r, 1500));
    await inTerminal('echo "region=$AWS_REGION"', /region=eu-central-1/);
    await shot('terminals-relaunched.png');
  });
});
