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
import type { Browser, Locator, Page } from 'playwright-core';
import { launchBrowser, type CodeServer } from '../harness/codeServer';
import { closeWorkbench, createAwsSandbox, ensureScreenshotDir, startWorkbenchServer, STATUS_ITEM, UI_TIMEOUT, WorkbenchUi, type AwsSandbox } from '../harness/workbenchUi';
import { LoopbackSts } from '../support/loopbackSts';
import { keysCredentials } from '../support/roleFixtures';

const alice = { arn: 'arn:aws:iam::111111111111:user/alice', accessKeyId: 'AKIAE2ECONFIGALICE01', secretAccessKey: 'alice-e2e-config-editing-secret-0000001' };
const MFA = 'arn:aws:iam::111111111111:mfa/alice';
const DEV_ROLE = 'arn:aws:iam::222222222222:role/Developer';
const NEW_ROLE = 'arn:aws:iam::444444444444:role/Deployer';

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
  let ui: WorkbenchUi | undefined;
  let page: Page;
  let sandbox: AwsSandbox | undefined;
  let configPath = '';

  const quickInput = () => ui!.quickInput();
  const quickPickRows = () => ui!.quickPickRows();
  const title = (text: string) => ui!.quickInputTitle(text);
  const suggestWidget = (): Locator => page.locator('.editor-widget.suggest-widget');
  const suggestDetails = (): Locator => page.locator('.suggest-details-container .suggest-details');
  const shot = (name: string, clip?: Parameters<WorkbenchUi['shot']>[1]) => ui!.shot(name, clip);
  const around = (...args: Parameters<WorkbenchUi['around']>) => ui!.around(...args);

  /** Runs a command from the palette; the focus stays where it is (the cursor in the config file). */
  async function openFromPalette(command: string): Promise<void> {
    await ui!.typeInPalette(command);
    await page.keyboard.press('Enter');
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
    ensureScreenshotDir();
    sts = new LoopbackSts({ users: [alice], roles: [{ arn: DEV_ROLE, trustedPrincipals: [alice.arn] }] });
    const { url: stsUrl } = await sts.start();
    sandbox = createAwsSandbox('config', { config: fixtureConfig(stsUrl), credentials: keysCredentials('base', alice) });
    configPath = sandbox.configPath;
    server = await startWorkbenchServer(sandbox, {
      userSettings: {
        'editor.minimap.enabled': false,
        // The typing below is thrown away by File: Revert File; an auto-save would write half a profile.
        'files.autoSave': 'off',
      },
    });
    browser = await launchBrowser();
    ui = await WorkbenchUi.open(browser, server);
    page = ui.page;
    await page.locator(STATUS_ITEM).filter({ hasText: 'AWS: no role' }).waitFor({ state: 'visible', timeout: 90_000 });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && ui) await ui.recordFailure(this.currentTest.title, server, 40);
  });

  after(async function () {
    this.timeout(60_000);
    await closeWorkbench(ui, browser, server);
    await sts?.stop().catch(() => undefined);
    sandbox?.remove();
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
