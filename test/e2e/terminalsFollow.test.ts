/*
 * UI end-to-end: a terminal opened as one role, then a switch from the command palette. The
 * notification says the open terminal keeps the old role, with Relaunch Terminals, Use Endpoint
 * Mode and Don't Show Again; Relaunch Terminals gives the terminal the new role. Screenshots go to
 * test-results/screenshots/ (terminals-*.png).
 */
import * as assert from 'node:assert/strict';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchBrowser, type CodeServer } from '../harness/codeServer';
import { closeWorkbench, createAwsSandbox, ensureScreenshotDir, startWorkbenchServer, UI_TIMEOUT, WorkbenchUi, type AwsSandbox } from '../harness/workbenchUi';
import { LoopbackSts } from '../support/loopbackSts';
import { keysCredentials } from '../support/roleFixtures';

const alice = { arn: 'arn:aws:iam::111111111111:user/alice', accessKeyId: 'AKIAE2EFOLLOWALICE01', secretAccessKey: 'alice-e2e-follow-secret-000000000000001' };
const roles = { dev: 'arn:aws:iam::222222222222:role/Developer', deploy: 'arn:aws:iam::444444444444:role/Deploy' };

describe('UI: open terminals after a switch', function () {
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
  const quickPickRows = () => ui!.quickPickRows();
  const terminalText = (): Locator => page.locator('.terminal-wrapper.active .xterm-rows');

  async function shot(name: string, clip?: Parameters<WorkbenchUi['shot']>[1]): Promise<void> {
    await ui!.shot(name, clip);
  }

  /** Runs a command from the palette; the focus stays where it is (the terminal). */
  async function palette(title: string): Promise<void> {
    await ui!.typeInPalette(title);
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
    ensureScreenshotDir();
    sts = new LoopbackSts({ users: [alice], roles: Object.values(roles).map((arn) => ({ arn, trustedPrincipals: [alice.arn] })) });
    const { url: stsUrl } = await sts.start();
    const profile = (name: string, arn: string, region: string) => `[profile ${name}]\nrole_arn = ${arn}\nsource_profile = base\nregion = ${region}\nservices = local-sts\n`;
    sandbox = createAwsSandbox('follow', {
      config: `[services local-sts]\nsts =\n  endpoint_url = ${stsUrl}\n\n[profile base]\nregion = eu-west-1\nservices = local-sts\n\n${profile('dev', roles.dev, 'eu-west-1')}\n${profile('deploy', roles.deploy, 'eu-central-1')}`,
      credentials: keysCredentials('base', alice),
    });
    server = await startWorkbenchServer(sandbox);
    browser = await launchBrowser();
    ui = await WorkbenchUi.open(browser, server);
    page = ui.page;
    await statusItem().filter({ hasText: 'AWS: no role' }).waitFor({ state: 'visible', timeout: 90_000 });
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
