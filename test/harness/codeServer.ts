/*
 * Runs the extension in a REAL VS Code: code-server (scripts/install-test-deps.sh puts it in <repo>/.cache/code-server)
 * in its own process group, opened in Debian's chromium through playwright-core. Recipe and gotchas found:
 *  - URL /?folder=WS&payload=[["extensionDevelopmentPath","vscode-remote://HOST:PORT/abs"],["extensionTestsPath",
 *    "vscode-remote://HOST:PORT/abs/index.js"],["skipWelcome","true"]]; file:// paths hang.
 *  - The suite runs in the server-side extension host, which inherits the SERVER's env (HOME, AWS_CONFIG_FILE...),
 *    and so do new integrated terminals (verified). The harness drops the caller's AWS_*, VSCODE_*, ELECTRON_*.
 *  - window.codeAutomationLog(type, args) gets each extension-host console.log call with its RAW args (mocha:
 *    ["  %d passing (%s)", 2, "1s"]), ANSI kept, several lines per call, mixed with the workbench's own "info"
 *    logs: cleanLogArgs() = util.format + strip ANSI; WORKBENCH_NOISE filters the rest. codeAutomationExit(code):
 *    0 = run() resolved, 1 = rejected; never called if run() hangs, hence timeoutMs (-> exit 124).
 *  - CODE_SERVER_CONFIG points into the run's temp dir, so ~/.config/code-server is never written.
 *  - Terminal shells are setsid()'d out of the server's process group: stop() kills the group AND all descendants.
 *  - CODE_SERVER_KEEP_TMP=1 keeps the temp dir (server.log, user-data/logs); CODE_SERVER_RAW_LOG=file dumps raw calls.
 */
import { spawn, ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import * as util from 'util';
import type { Browser, Page } from 'playwright-core';

export interface CodeServerOptions {
  /**
   * Environment overrides for the server (and so for the extension host and its terminals), applied on top of
   * this process's environment minus AWS_*, VSCODE_* and ELECTRON_* variables. `undefined` removes a variable.
   */
  env: Record<string, string | undefined>;
  /** Folder opened in the workbench. */
  workspace: string;
  /** Merged over the defaults written to <userDataDir>/User/settings.json. */
  userSettings?: Record<string, unknown>;
  /** Absolute path of the extension under development (folder with its package.json). */
  extensionDevelopmentPath: string;
  /** Absolute path of the compiled suite index.js exporting `run(): Promise<void>`; omit for UI tests. */
  extensionTestsPath?: string;
  /** Register the extension's test-only commands (AWS_ROLES_TEST_HOOKS=1); default true, the demo says false. */
  testHooks?: boolean;
  /**
   * Extension folders (each named publisher.name-version) copied into the fresh extensions dir before the server
   * starts, so they are installed next to the one under development (the benchmark's empty reference extensions).
   */
  installedExtensions?: string[];
}

export interface CodeServer {
  port: number;
  /** pid (= process group id) of the server. */
  pid: number;
  hasExited(): boolean;
  /** Workbench URL with folder + payload (extensionTestsPath included when the options had one). */
  url(): string;
  /** Kills the server's process group and every descendant, then removes the temp dirs. Idempotent. */
  stop(): Promise<void>;
  userDataDir: string;
  extensionsDir: string;
  /** File receiving the server's stdout/stderr. */
  serverLogFile: string;
  /** code-server/VS Code log folder (<userDataDir>/logs; exthost logs are in its sub-folders). */
  logsDir(): string;
  /** Last lines of the server log. */
  logTail(lines?: number): string;
}

export const DEFAULT_USER_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'remote.autoForwardPorts': false,
  'terminal.integrated.gpuAcceleration': 'off',
  'workbench.tips.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'security.workspace.trust.enabled': false,
};

const CODE_SERVER_VERSION = '4.100.3';
const HOST = '127.0.0.1';

/** Where the code-server entry point is: $CODE_SERVER_ENTRY, else <repo>/.cache/code-server/... */
export function codeServerEntry(): string {
  if (process.env.CODE_SERVER_ENTRY) return process.env.CODE_SERVER_ENTRY;
  const rel = path.join('.cache', 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  for (const start of [__dirname, process.cwd()]) {
    for (let dir = start; ; dir = path.dirname(dir)) {
      const candidate = path.join(dir, rel);
      if (fs.existsSync(candidate)) return candidate;
      if (path.dirname(dir) === dir) break;
    }
  }
  throw new Error(
    `code-server ${CODE_SERVER_VERSION} not found (${rel} above ${__dirname} or ${process.cwd()}): ` +
      'run scripts/install-test-deps.sh',
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, HOST, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

function serverEnv(overrides: Record<string, string | undefined>, configFile: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || /^(AWS_|VSCODE_|ELECTRON_)/.test(k)) continue;
    env[k] = v;
  }
  delete env.PASSWORD;
  delete env.HASHED_PASSWORD;
  env.EXTENSIONS_GALLERY = '{}';
  env.CODE_SERVER_CONFIG = configFile;
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

function tailOf(file: string, lines = 60): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no server log)';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** GET http://HOST:port/healthz; true on a 200. */
function healthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: HOST, port, path: '/healthz', timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/** Every live descendant of `pid` (via /proc), deepest last. */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[] = [];
  try {
    entries = fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  for (const e of entries) {
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(e));
      children.set(ppid, list);
    } catch {
      /* process gone */
    }
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length) {
    for (const c of children.get(queue.shift()!) ?? []) {
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function killAll(pgid: number, pids: number[], signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    /* group gone */
  }
  for (const p of pids) {
    try {
      process.kill(p, signal);
    } catch {
      /* gone */
    }
  }
}

/** Workbench URL for a server: folder + payload (extensionDevelopmentPath, optional extensionTestsPath). */
export function workbenchUrl(
  port: number,
  opts: { workspace: string; extensionDevelopmentPath: string; extensionTestsPath?: string },
): string {
  const remote = (p: string): string => `vscode-remote://${HOST}:${port}${path.resolve(p)}`;
  const payload: [string, string][] = [['extensionDevelopmentPath', remote(opts.extensionDevelopmentPath)]];
  if (opts.extensionTestsPath) payload.push(['extensionTestsPath', remote(opts.extensionTestsPath)]);
  payload.push(['skipWelcome', 'true']);
  return `http://${HOST}:${port}/?folder=${encodeURIComponent(path.resolve(opts.workspace))}&payload=${encodeURIComponent(
    JSON.stringify(payload),
  )}`;
}

/** Starts code-server on a free port with fresh temp user-data/extensions dirs; resolves once /healthz answers. */
export async function startCodeServer(opts: CodeServerOptions, startupTimeoutMs = 90_000): Promise<CodeServer> {
  const entry = codeServerEntry();
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'ars-code-server-'));
  const userDataDir = path.join(base, 'user-data');
  const extensionsDir = path.join(base, 'extensions');
  const serverLogFile = path.join(base, 'server.log');
  const configFile = path.join(base, 'config.yaml');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  for (const ext of opts.installedExtensions ?? []) fs.cpSync(ext, path.join(extensionsDir, path.basename(ext)), { recursive: true });
  fs.writeFileSync(
    path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...DEFAULT_USER_SETTINGS, ...(opts.userSettings ?? {}) }, null, 2),
  );
  fs.writeFileSync(configFile, 'auth: none\ncert: false\n');
  const env = serverEnv({ AWS_ROLES_TEST_HOOKS: opts.testHooks === false ? undefined : '1', ...opts.env }, configFile);

  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const logFd = fs.openSync(serverLogFile, 'a');
    const args = [
      entry,
      '--auth', 'none',
      '--bind-addr', `${HOST}:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--user-data-dir', userDataDir,
      '--extensions-dir', extensionsDir,
      opts.workspace,
    ];
    const child: ChildProcess = spawn(process.execPath, args, {
      cwd: opts.workspace,
      env,
      detached: true, // own process group, killed as a whole
      stdio: ['ignore', logFd, logFd],
    });
    fs.closeSync(logFd);
    const pid = child.pid!;
    let exited: number | string | null = null;
    const exitPromise = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        exited = code ?? signal ?? 'unknown';
        resolve();
      });
      child.once('error', (err) => {
        exited = String(err);
        resolve();
      });
    });
    // Last-resort cleanup if the test process exits without calling stop().
    const onExit = (): void => killAll(pid, descendants(pid), 'SIGKILL');
    process.once('exit', onExit);

    let stopped = false;
    const server: CodeServer = {
      port,
      pid,
      hasExited: () => exited !== null,
      userDataDir,
      extensionsDir,
      serverLogFile,
      url: () => workbenchUrl(port, opts),
      logsDir: () => path.join(userDataDir, 'logs'),
      logTail: (lines = 60) => tailOf(serverLogFile, lines),
      stop: async () => {
        if (stopped) return;
        stopped = true;
        process.removeListener('exit', onExit);
        let pids = descendants(pid);
        killAll(pid, pids, 'SIGTERM');
        const deadline = Date.now() + 5000;
        while (Date.now() < deadline && (exited === null || pids.some(alive))) {
          await Promise.race([exitPromise, sleep(100)]);
        }
        pids = [...new Set([...pids, ...descendants(pid)])].filter(alive);
        if (exited === null || pids.length) {
          killAll(pid, pids, 'SIGKILL');
          await Promise.race([exitPromise, sleep(2000)]);
        }
        if (!process.env.CODE_SERVER_KEEP_TMP) fs.rmSync(base, { recursive: true, force: true });
      },
    };

    const deadline = Date.now() + startupTimeoutMs;
    while (exited === null && Date.now() < deadline) {
      if (await healthy(port)) return server;
      await sleep(250);
    }
    const log = tailOf(serverLogFile);
    const why = exited !== null ? `exited (${exited})` : `did not answer /healthz within ${startupTimeoutMs} ms`;
    lastError = new Error(`code-server ${why} on port ${port}; log ${serverLogFile}:\n${log}`);
    const retry = exited !== null && /EADDRINUSE/.test(log);
    const keep = process.env.CODE_SERVER_KEEP_TMP;
    process.env.CODE_SERVER_KEEP_TMP = '1'; // keep the log for the error message / next attempt
    await server.stop();
    if (keep === undefined) delete process.env.CODE_SERVER_KEEP_TMP;
    else process.env.CODE_SERVER_KEEP_TMP = keep;
    if (!retry) break;
  }
  throw lastError ?? new Error('code-server did not start');
}

/** Headless Debian chromium ($CHROMIUM_PATH overrides /usr/bin/chromium). */
export async function launchBrowser(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-dev-shm-usage',
    ],
  });
}

/**
 * New page (own browser context, 1400x900) on the server's workbench URL, resolved once `.monaco-workbench` is
 * visible. The workbench shows up before the extension host has registered the extensions' contributions (~5 s
 * later here): pass `waitForCommand` (a command palette title, e.g. "AWS: Assume Role") to also wait until the
 * command palette lists it (the palette is closed again afterwards).
 */
export async function openWorkbench(
  browser: Browser,
  server: CodeServer,
  options: { timeoutMs?: number; waitForCommand?: string } = {},
): Promise<Page> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  await page.goto(server.url(), { timeout: timeoutMs });
  await page.waitForSelector('.monaco-workbench', { state: 'visible', timeout: timeoutMs });
  if (options.waitForCommand) {
    const title = options.waitForCommand;
    for (;;) {
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: Math.max(1000, deadline - Date.now()) });
      await input.fill(`>${title}`);
      await page.waitForTimeout(300);
      const rows = await page.locator('.quick-input-widget .monaco-list-row').allTextContents();
      await page.keyboard.press('Escape');
      if (rows.some((r) => r.includes(title))) break;
      if (Date.now() > deadline) {
        throw new Error(`command "${title}" not in the command palette after ${timeoutMs} ms (rows: ${rows.join(' | ')})`);
      }
      await page.waitForTimeout(700);
    }
  }
  return page;
}

// ANSI CSI / OSC sequences.
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g;

/**
 * Turns one codeAutomationLog(type, args) call into plain text. The extension host forwards each console.log
 * call's RAW arguments (mocha: ["    ✔ %s (%dms)", title, ms]), so they are printf-formatted here like Node's
 * console does (util.format; "%c" CSS is dropped), then ANSI codes are stripped. May contain newlines.
 */
export function cleanLogArgs(args: unknown[]): string {
  return util.format(...args).replace(ANSI, '');
}

/**
 * The workbench's own renderer logs arrive through codeAutomationLog too, with the same type ("info") as the
 * suite's output; lines matching these are dropped from `output` (see CODE_SERVER_RAW_LOG for everything).
 */
export const WORKBENCH_NOISE: RegExp[] = [
  /^Resolv(ing|ed) connection token \(/,
  /^Creating a socket \(renderer-/,
  /^\[Service Worker\] /,
  /^Ignoring fetching additional builtin extensions/,
  /^Updating additional builtin extensions cache$/,
  /^ChatSessionStore: /,
  /^Creation of workbench contribution '.*' took \d+ms\.$/,
];

/**
 * Full lifecycle: server, browser, page with codeAutomationLog/codeAutomationExit exposed, wait for the exit code
 * or the time limit, teardown. exitCode: what VS Code reported (0 = all passed, 1 = run() rejected), 124 on
 * timeout, 125 when the page or server died first. `output`: plain text (formatted, no ANSI, no workbench noise),
 * split into lines; onLog gets each of those lines as it arrives.
 */
export async function runSuiteInCodeServer(
  opts: CodeServerOptions & { extensionTestsPath: string; timeoutMs: number; onLog?: (line: string) => void },
): Promise<{ exitCode: number; output: string }> {
  const lines: string[] = [];
  const emit = (text: string): void => {
    for (const line of text.split(/\r?\n/)) {
      if (WORKBENCH_NOISE.some((re) => re.test(line))) continue;
      lines.push(line);
      opts.onLog?.(line);
    }
  };
  const rawLog = process.env.CODE_SERVER_RAW_LOG; // debugging: raw codeAutomationLog calls, one JSON per line
  const server = await startCodeServer(opts);
  let browser: Browser | undefined;
  let timer: NodeJS.Timeout | undefined;
  let serverWatch: NodeJS.Timeout | undefined;
  try {
    browser = await launchBrowser();
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    const browserErrors: string[] = [];
    page.on('pageerror', (err) => browserErrors.push(`[pageerror] ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') browserErrors.push(`[console.error] ${msg.text()}`);
    });

    const done = new Promise<{ code: number; reason?: string }>((resolve) => {
      void page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
        if (rawLog) fs.appendFileSync(rawLog, JSON.stringify([type, args]) + '\n');
        emit(cleanLogArgs(Array.isArray(args) ? args : [args]));
      });
      void page.exposeFunction('codeAutomationExit', (code: number) => resolve({ code: Number(code) }));
      page.on('crash', () => resolve({ code: 125, reason: 'page crashed' }));
      timer = setTimeout(() => resolve({ code: 124, reason: `timed out after ${opts.timeoutMs} ms` }), opts.timeoutMs);
      serverWatch = setInterval(() => {
        if (server.hasExited()) resolve({ code: 125, reason: 'code-server exited during the run' });
      }, 500);
    });
    await page.goto(server.url(), { timeout: opts.timeoutMs });
    const result = await done;
    if (result.reason) {
      emit(`[harness] ${result.reason}`);
      if (browserErrors.length) emit(`[harness] browser errors:\n${browserErrors.slice(-20).join('\n')}`);
      emit(`[harness] server log tail (${server.serverLogFile}):\n${server.logTail(30)}`);
    }
    return { exitCode: result.code, output: lines.join('\n') };
  } finally {
    if (timer) clearTimeout(timer);
    if (serverWatch) clearInterval(serverWatch);
    await browser?.close().catch(() => undefined);
    await server.stop();
  }
}
