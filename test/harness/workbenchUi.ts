/*
 * What the e2e suites do to the workbench page: open it at 2x device pixels (README screenshots stay crisp),
 * run a command from the palette, find rows of the AWS Roles view and the quick pick, and save screenshots of a
 * part of the window to test-results/screenshots/ (a failing test leaves failure-<test>.png there). Also the
 * set-up every suite shares: a temp HOME with the AWS files, and code-server started on it with the same look.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { startCodeServer, type CodeServer } from './codeServer';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
export const SCREENSHOT_DIR = path.join(repoRoot, 'test-results', 'screenshots');

/** The status bar item of `vscode.window.createStatusBarItem('awsRoles.identity', …)`: `<extension id>.<item id>`. */
export const STATUS_ITEM = '[id="aws-role-switcher.aws-role-switcher.awsRoles.identity"]';
export const UI_TIMEOUT = 20_000;

/** The look of every e2e workbench (and of the README pictures): dark, compact, nothing beside the views. */
export const WORKBENCH_SETTINGS: Record<string, unknown> = {
  'workbench.colorTheme': 'Default Dark Modern',
  'window.menuBarVisibility': 'compact',
  'workbench.layoutControl.enabled': false,
  'chat.commandCenter.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

/** A temp folder with a HOME holding ~/.aws and an empty workspace; `remove()` deletes it all. */
export interface AwsSandbox {
  root: string;
  home: string;
  workspace: string;
  configPath: string;
  credentialsPath: string;
  remove(): void;
}

/** Writes ~/.aws/config, and ~/.aws/credentials (0600) when given, under a fresh aws-roles-e2e-<name>- folder. */
export function createAwsSandbox(name: string, files: { config: string; credentials?: string }): AwsSandbox {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `aws-roles-e2e-${name}-`));
  const home = path.join(root, 'home');
  const workspace = path.join(root, 'workspace');
  const configPath = path.join(home, '.aws', 'config');
  const credentialsPath = path.join(home, '.aws', 'credentials');
  fs.mkdirSync(path.dirname(configPath), { recursive: true, mode: 0o700 });
  fs.mkdirSync(workspace, { recursive: true });
  fs.writeFileSync(configPath, files.config);
  if (files.credentials !== undefined) fs.writeFileSync(credentialsPath, files.credentials, { mode: 0o600 });
  return { root, home, workspace, configPath, credentialsPath, remove: () => fs.rmSync(root, { recursive: true, force: true }) };
}

/**
 * code-server with this repo's extension, HOME and the AWS file variables pointing into `sandbox`, and
 * WORKBENCH_SETTINGS; `env` and `userSettings` add to (or override) those.
 */
export function startWorkbenchServer(
  sandbox: AwsSandbox,
  options: { env?: Record<string, string>; userSettings?: Record<string, unknown> } = {},
): Promise<CodeServer> {
  return startCodeServer({
    extensionDevelopmentPath: repoRoot,
    workspace: sandbox.workspace,
    env: { HOME: sandbox.home, SHELL: '/bin/bash', AWS_CONFIG_FILE: sandbox.configPath, AWS_SHARED_CREDENTIALS_FILE: sandbox.credentialsPath, ...options.env },
    userSettings: { ...WORKBENCH_SETTINGS, ...options.userSettings },
  });
}

/** Closes the page, the browser and code-server, each whatever happened to the others. */
export async function closeWorkbench(ui: WorkbenchUi | undefined, browser: Browser | undefined, server: CodeServer | undefined): Promise<void> {
  await ui?.context.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await server?.stop().catch((e: unknown) => console.error('stopping code-server:', e));
}

export interface Clip {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Makes the folder, keeping what is in it: a suite that runs after another must not delete its failure pictures. */
export function ensureScreenshotDir(): void {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
}

/** Removes the failure screenshots of an earlier run (the others are overwritten). */
export function prepareScreenshotDir(): void {
  ensureScreenshotDir();
  for (const f of fs.readdirSync(SCREENSHOT_DIR)) {
    if (/^failure-.*\.png$/.test(f)) fs.rmSync(path.join(SCREENSHOT_DIR, f), { force: true });
  }
}

export class WorkbenchUi {
  /** Page errors and console errors of the workbench, printed when a test fails. */
  readonly browserErrors: string[] = [];

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
  ) {
    page.on('pageerror', (err) => this.browserErrors.push(`[pageerror] ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') this.browserErrors.push(`[console.error] ${msg.text()}`);
    });
  }

  /** Like openWorkbench(), but at 2x device pixels; resolves once `.monaco-workbench` is visible. */
  static async open(browser: Browser, server: CodeServer, viewport = { width: 1400, height: 900 }): Promise<WorkbenchUi> {
    const context = await browser.newContext({ viewport, deviceScaleFactor: 2 });
    const ui = new WorkbenchUi(context, await context.newPage());
    await ui.page.goto(server.url(), { timeout: 60_000 });
    await ui.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    return ui;
  }

  statusItem(): Locator {
    return this.page.locator(STATUS_ITEM);
  }

  quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  quickPickRows(): Locator {
    return this.quickInput().locator('.quick-input-list .monaco-list-row');
  }

  sideBar(): Locator {
    return this.page.locator('.part.sidebar');
  }

  /** Rows of the side bar's trees whose label is exactly `label`. */
  treeRow(label: string): Locator {
    return this.sideBar()
      .locator('.monaco-list-row')
      .filter({ has: this.page.locator('.label-name', { hasText: new RegExp(`^${label}$`) }) });
  }

  /** The title of the open quick input (a pick or an input box), when it contains `text`. */
  quickInputTitle(text: string): Locator {
    return this.quickInput().locator('.quick-input-title', { hasText: text });
  }

  notification(text: string | RegExp): Locator {
    return this.page.locator('.notifications-toasts .notification-toast', { hasText: text });
  }

  /** Opens the command palette and selects a command (Enter is left to the caller). */
  async openFromPalette(title: string): Promise<void> {
    await this.page.locator('.part.editor').click();
    await this.typeInPalette(title);
  }

  /** Like openFromPalette(), but without clicking the editor first, so the focus stays where it is (a terminal, the cursor in a file). */
  async typeInPalette(title: string): Promise<void> {
    await this.page.keyboard.press('F1');
    await this.quickInput().locator('.quick-input-box input').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await this.page.keyboard.type(title);
    await this.quickPickRows().filter({ hasText: title }).first().waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  }

  /** Shows the AWS Roles view in the side bar. */
  async showAwsRolesView(): Promise<void> {
    await this.page.locator('.activitybar .action-label[aria-label="AWS Roles"]').click();
    await this.sideBar().locator('.composite.title', { hasText: /AWS Roles/i }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  }

  /** Screenshot into test-results/screenshots/<name>, optionally clipped. */
  async shot(name: string, clip?: Clip): Promise<string> {
    const file = path.join(SCREENSHOT_DIR, name);
    await this.page.screenshot({ path: file, clip, animations: 'disabled', caret: 'hide' });
    return file;
  }

  /** The box of `locator` (of all of them, if several have one) grown by `margin` px, kept inside the viewport. */
  async around(locator: Locator | Locator[], margin: number | { x: number; y: number }): Promise<Clip> {
    const locators = Array.isArray(locator) ? locator : [locator];
    const boxes = (await Promise.all(locators.map((l) => l.boundingBox()))).filter((b): b is NonNullable<typeof b> => b !== null);
    assert.ok(boxes.length, 'element has a bounding box');
    const vp = this.page.viewportSize() ?? { width: 1400, height: 900 };
    const mx = typeof margin === 'number' ? margin : margin.x;
    const my = typeof margin === 'number' ? margin : margin.y;
    const x = Math.max(0, Math.min(...boxes.map((b) => b.x)) - mx);
    const y = Math.max(0, Math.min(...boxes.map((b) => b.y)) - my);
    const right = Math.min(vp.width, Math.max(...boxes.map((b) => b.x + b.width)) + mx);
    const bottom = Math.min(vp.height, Math.max(...boxes.map((b) => b.y + b.height)) + my);
    return { x, y, width: right - x, height: bottom - y };
  }

  /** The left part of the status bar, up to `extra` px right of our item: readable, and shows the neighbours. */
  async statusBarClip(extra = 160): Promise<Clip> {
    const bar = await this.page.locator('.part.statusbar').boundingBox();
    const item = await this.statusItem().boundingBox();
    assert.ok(bar && item, 'status bar and item have bounding boxes');
    return { x: bar.x, y: bar.y, width: Math.min(bar.width, Math.round(item.x + item.width + extra)), height: bar.height };
  }

  /** The activity bar (with the selected view's icon) and the side bar, down to `height` px if given. */
  async sideBarClip(height?: number): Promise<Clip> {
    const bar = await this.page.locator('.part.activitybar').boundingBox();
    const side = await this.sideBar().boundingBox();
    assert.ok(bar && side, 'activity bar and side bar have bounding boxes');
    return { x: bar.x, y: side.y, width: side.x + side.width - bar.x, height: Math.min(side.height, height ?? side.height) };
  }

  /** After a failed test: a screenshot named after it, and the browser errors and server log for the report. */
  async recordFailure(title: string, server: CodeServer | undefined, logLines = 15): Promise<void> {
    const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
    await this.page.screenshot({ path: path.join(SCREENSHOT_DIR, `failure-${slug}.png`) }).catch(() => undefined);
    if (this.browserErrors.length) console.log(`    browser errors:\n      ${this.browserErrors.slice(-10).join('\n      ')}`);
    if (server) console.log(`    code-server log tail:\n${server.logTail(logLines)}`);
  }
}
