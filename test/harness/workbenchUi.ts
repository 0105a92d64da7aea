/*
 * What the e2e suites do to the workbench page: open it at 2x device pixels (README screenshots stay crisp),
 * run a command from the palette, find rows of the AWS Roles view and the quick pick, and save screenshots of a
 * part of the window to test-results/screenshots/ (a failing test leaves failure-<test>.png there).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type { CodeServer } from './codeServer';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
export const SCREENSHOT_DIR = path.join(repoRoot, 'test-results', 'screenshots');

/** The status bar item of `vscode.window.createStatusBarItem('awsRoles.identity', …)`: `<extension id>.<item id>`. */
export const STATUS_ITEM = '[id="aws-role-switcher.aws-role-switcher.awsRoles.identity"]';
export const UI_TIMEOUT = 20_000;

export interface Clip {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Removes the failure screenshots of an earlier run (the others are overwritten). */
export function prepareScreenshotDir(): void {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
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

  notification(text: string | RegExp): Locator {
    return this.page.locator('.notifications-toasts .notification-toast', { hasText: text });
  }

  /** Opens the command palette and selects a command (Enter is left to the caller). */
  async openFromPalette(title: string): Promise<void> {
    await this.page.locator('.part.editor').click();
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

  /** The box of `locator` grown by `margin` px, kept inside the viewport. */
  async around(locator: Locator, margin: number | { x: number; y: number }): Promise<Clip> {
    const box = await locator.boundingBox();
    assert.ok(box, 'element has a bounding box');
    const vp = this.page.viewportSize() ?? { width: 1400, height: 900 };
    const mx = typeof margin === 'number' ? margin : margin.x;
    const my = typeof margin === 'number' ? margin : margin.y;
    const x = Math.max(0, box.x - mx);
    const y = Math.max(0, box.y - my);
    return { x, y, width: Math.min(vp.width, box.x + box.width + mx) - x, height: Math.min(vp.height, box.y + box.height + my) - y };
  }

  /** The left part of the status bar, up to a bit right of our item: readable, and shows the neighbours. */
  async statusBarClip(): Promise<Clip> {
    const bar = await this.page.locator('.part.statusbar').boundingBox();
    const item = await this.statusItem().boundingBox();
    assert.ok(bar && item, 'status bar and item have bounding boxes');
    return { x: bar.x, y: bar.y, width: Math.min(bar.width, Math.round(item.x + item.width + 160)), height: bar.height };
  }

  /** The activity bar (with the selected view's icon) and the side bar, down to `height` px if given. */
  async sideBarClip(height?: number): Promise<Clip> {
    const bar = await this.page.locator('.part.activitybar').boundingBox();
    const side = await this.sideBar().boundingBox();
    assert.ok(bar && side, 'activity bar and side bar have bounding boxes');
    return { x: bar.x, y: side.y, width: side.x + side.width - bar.x, height: Math.min(side.height, height ?? side.height) };
  }

  /** After a failed test: a screenshot named after it, and the browser errors and server log for the report. */
  async recordFailure(title: string, server: CodeServer | undefined): Promise<void> {
    const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
    await this.page.screenshot({ path: path.join(SCREENSHOT_DIR, `failure-${slug}.png`) }).catch(() => undefined);
    if (this.browserErrors.length) console.log(`    browser errors:\n      ${this.browserErrors.slice(-10).join('\n      ')}`);
    if (server) console.log(`    code-server log tail:\n${server.logTail(15)}`);
  }
}
