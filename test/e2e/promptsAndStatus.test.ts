/*
 * UI end-to-end test of issue 13, items 3 to 5: the Assume Role pick with roles first and a profile
 * with a config problem marked (picking it offers Open Config at This Profile), the MFA prompt that
 * keeps an empty Enter and re-opens after a refused code, and the status bar that says the profile
 * and the role, the whole chain in its tooltip, and "Renewed" after Refresh Credentials.
 * Screenshots go to test-results/screenshots/ (i13-*.png). Steps depend on each other: bail at the first failure.
 */
import * as assert from 'node:assert/strict';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchBrowser, type CodeServer } from '../harness/codeServer';
import { closeWorkbench, createAwsSandbox, ensureScreenshotDir, startWorkbenchServer, UI_TIMEOUT, WorkbenchUi, type AwsSandbox } from '../harness/workbenchUi';
import { LoopbackSts } from '../support/loopbackSts';

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
  let ui: WorkbenchUi | undefined;
  let page: Page;
  let sandbox: AwsSandbox | undefined;

  const statusItem = () => ui!.statusItem();
  const quickInput = () => ui!.quickInput();
  const quickPickRows = () => ui!.quickPickRows();
  const message = (): Locator => quickInput().locator('.quick-input-message');
  const title = (text: string) => ui!.quickInputTitle(text);
  const shot = (name: string, clip?: Parameters<WorkbenchUi['shot']>[1]) => ui!.shot(name, clip);
  const around = (...args: Parameters<WorkbenchUi['around']>) => ui!.around(...args);
  const statusBarClip = (extra?: number) => ui!.statusBarClip(extra);

  async function openFromPalette(command: string): Promise<void> {
    await ui!.openFromPalette(command);
    await page.keyboard.press('Enter');
  }

  before(async function () {
    ensureScreenshotDir();
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
    sandbox = createAwsSandbox('i13', { config: fixtureConfig(stsUrl), credentials: fixtureCredentials() });
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
    await sts?.stop().catch((e: unknown) => console.error('stopping LoopbackSts:', e));
    sandbox?.remove();
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
