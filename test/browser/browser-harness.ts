/**
 * Test support for the browser tests: a real `parallax serve` on a free loopback port over generated,
 * ingested and analysed data with one account per role, the web app built with Vite's JS API, and Debian
 * Chromium driven through playwright-core.
 *
 * Invariants: the data directory is a fresh temporary one removed afterwards; the server is the CLI in a
 * child process (the same code path as production), stopped by its own pid; accounts are created through
 * the accounts service before the server opens the stores (one process owns the DuckDB file at a time).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { openRuntime } from '../../src/runtime/index.ts';
import { QuotaExceededError } from '../../src/accounts/index.ts';
import type { RoleName } from '../signed-in.ts';

export const REPO = resolve(import.meta.dirname, '../..');
/** Screenshots and timings of the browser tests: test artefacts, gitignored, looked at after a run. */
export const SCREENSHOTS = join(REPO, 'test-artifacts', 'screenshots');
export const PASSWORD = 'correct horse battery staple';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

export const VIEWPORTS = {
  desktop: { width: 1440, height: 900 },
  'tablet-landscape': { width: 1024, height: 768 },
  'tablet-portrait': { width: 768, height: 1024 },
} as const;

export interface TestUser {
  name: string;
  role: RoleName;
  /** A partner analyst's agency: MX has no data in the generated store, so its pages are empty. */
  provider?: string;
}

export const USERS: Record<string, TestUser> = {
  investigator: { name: 'ivy.investigator', role: 'investigator' },
  officer: { name: 'otto.officer', role: 'customs-officer' },
  executive: { name: 'eve.executive', role: 'executive' },
  administrator: { name: 'ada.admin', role: 'administrator' },
  auditor: { name: 'aud.auditor', role: 'auditor' },
  security: { name: 'sam.security', role: 'security-administrator' },
  partner: { name: 'pia.partner', role: 'partner-analyst', provider: 'MX' },
  master: { name: 'max.master', role: 'master-administrator' },
};
export const LOCKED_USER = 'lou.locked';
/** Rows the locked user has taken out in its window (of the investigator's 2,000,000). */
export const LOCKED_USER_ROWS = 1_500_000;

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((ok, fail) => {
    const p = spawn(process.execPath, [join(REPO, 'bin', 'parallax.js'), ...args], { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('exit', (code) => (code === 0 ? ok(out) : fail(new Error(`parallax ${args[0]} exited ${code}: ${err.slice(-2000)}`))));
  });
}

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? ok(a.port) : fail(new Error('no port'))));
    });
  });
}

export interface ServeOptions {
  /** `parallax serve --require-purpose`: every sign-in must state a purpose or case reference. */
  requirePurpose?: boolean;
  /** Further `parallax serve` flags (benchmarks: --no-report-schedule). */
  extraArgs?: readonly string[];
  /** How long the server may take to answer /api/health (default 60 s; a large store opens slower). */
  startTimeoutMs?: number;
}

export interface RunningServer {
  /** Changes on restart (a new free port). */
  url: string;
  dataDir: string;
  /** Stops the server and serves the same data directory again with other options. */
  restart(opts: ServeOptions): Promise<void>;
  stop(): Promise<void>;
}

export interface ServeProcess {
  url: string;
  pid: number;
  /** What the server printed so far. */
  log(): string;
  stop(): Promise<void>;
}

/** `parallax serve` on a free loopback port in a child process; resolves once /api/health answers. */
export async function serve(dataDir: string, opts: ServeOptions): Promise<ServeProcess> {
  const port = await freePort();
  const args = ['serve', '--data', dataDir, '--port', String(port), '--host', '127.0.0.1', ...(opts.requirePurpose ? ['--require-purpose'] : []), ...(opts.extraArgs ?? [])];
  const child: ChildProcess = spawn(process.execPath, [join(REPO, 'bin', 'parallax.js'), ...args], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      const exited = new Promise((r) => child.once('exit', r));
      process.kill(child.pid, 'SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      // A query still running (e.g. a timed-out test's) can hold the graceful close: stop it for good.
      if (child.exitCode === null && child.signalCode === null) {
        process.kill(child.pid, 'SIGKILL');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      }
    }
  };
  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  for (;;) {
    try {
      const r = await fetch(`${url}/api/health`);
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`parallax serve did not start: ${log.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, pid: child.pid!, log: () => log, stop };
}

/**
 * A later batch for the generated declarations: copies of the first 20 lines under new declaration ids with
 * their values multiplied by 40, so their unit prices stand far outside their groups.
 */
function newBatch(declarations: string): string {
  const [header, ...lines] = readFileSync(declarations, 'utf8').split('\n', 21);
  const cols = header!.split(',');
  const [id, value] = [cols.indexOf('declaration_id'), cols.indexOf('value')];
  // Split on commas outside quotes; quoted fields (names with commas) are kept as written, quotes and all.
  const split = (l: string) => {
    const out: string[] = [];
    let cur = '';
    let quoted = false;
    for (const ch of l) {
      if (ch === '"') quoted = !quoted;
      if (ch === ',' && !quoted) {
        out.push(cur);
        cur = '';
      } else cur += ch;
    }
    return [...out, cur];
  };
  const rows = lines.map((l) => {
    const f = split(l);
    f[id] = `LATE-${f[id]}`;
    f[value] = String(Number(f[value]) * 40);
    return f.join(',');
  });
  return `${header}\n${rows.join('\n')}\n`;
}

/** Generates `rows` lines with the demo (loads, screens, analyses), adds a later batch and analyses again, adds the accounts, then serves. */
export async function startServer(rows: number, opts: ServeOptions = {}): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), 'parallax-web-'));
  const dataDir = join(dir, 'data');
  // The demo loads the data and its watch list, resolves and screens the parties and runs every detector (R000001).
  await run(['demo', '--rows', String(rows), '--data', dataDir, '--no-serve']);
  // Then a new batch arrives and the analyst runs again (R000002): what it flags beyond R000001 is "new".
  const batch = join(dir, 'new-batch.csv');
  writeFileSync(batch, newBatch(join(dataDir, 'generated', 'declarations.csv')));
  await run(['ingest', batch, '--profile', 'canonical', '--category', 'trade', '--provider', 'US', '--data', dataDir]);
  await run(['analyze', '--data', dataDir]);
  const rt = await openRuntime({ dataDir, databaseUrl: '' });
  try {
    for (const u of Object.values(USERS)) {
      const displayName = u.name.split('.').map((s) => s[0]!.toUpperCase() + s.slice(1)).join(' ');
      // The master administrator exists once per data directory and is created as `users create-master` does.
      if (u.role === 'master-administrator') await rt.access.accounts.createMaster({ name: u.name, displayName, password: PASSWORD });
      else await rt.access.accounts.add({ name: u.name, role: u.role, provider: u.provider ?? null, password: PASSWORD, by: 'browser-test', displayName });
    }
    // Locked by its download quota the way the server locks it: 1.5M of its 2M rows used, then an export that would cross.
    const locked = await rt.access.accounts.add({ name: LOCKED_USER, role: 'investigator', provider: null, password: PASSWORD, by: 'browser-test' });
    await rt.access.quotas.charge(locked, { rows: LOCKED_USER_ROWS, bytes: 300 * 1024 * 1024, route: '/api/export/lines' });
    await rt.access.quotas.charge(locked, { rows: 600_000, bytes: 1024, route: '/api/export/lines' }).then(
      () => Promise.reject(new Error('the quota did not lock the account')),
      (e: unknown) => {
        if (!(e instanceof QuotaExceededError)) throw e;
      },
    );
  } finally {
    await rt.close();
  }
  let proc = await serve(dataDir, opts);
  const server: RunningServer = {
    url: proc.url,
    dataDir,
    async restart(o) {
      await proc.stop();
      proc = await serve(dataDir, o);
      server.url = proc.url;
    },
    async stop() {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}

/** Builds web/ into web/dist with Vite's JS API (the same as `npm run build:web`). */
export async function buildWeb(): Promise<void> {
  const { build } = await import('vite');
  // Vitest sets NODE_ENV=test, which would make Vite bundle React's development build (slow, chatty).
  const env = process.env['NODE_ENV'];
  process.env['NODE_ENV'] = 'production';
  try {
    await build({ configFile: join(REPO, 'web', 'vite.config.ts'), logLevel: 'warn', mode: 'production' });
  } finally {
    process.env['NODE_ENV'] = env;
  }
}

export async function launch(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
}

/** Signs in through the form, as a person would. */
export async function signInThroughForm(page: Page, url: string, user: string): Promise<void> {
  await page.goto(`${url}/`);
  await page.getByLabel('Name', { exact: true }).fill(user);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  try {
    // The navigation is collapsed (hidden) at tablet widths, so wait for the element, not its accessible role.
    await page.locator('#primary-nav').waitFor({ state: 'attached', timeout: 60_000 });
  } catch (e) {
    await screenshot(page, `sign-in-failed-${user}`);
    throw new Error(`sign-in of ${user} did not reach the app; the page says: ${(await page.locator('body').textContent())?.slice(0, 300)}`, { cause: e });
  }
}

export async function screenshot(page: Page, name: string): Promise<string> {
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: number;
  targets: string[];
}

/** Runs axe-core in the page (WCAG 2 A/AA rules) and returns the serious and critical violations. */
export async function axeSerious(page: Page, axeSource: string): Promise<AxeViolation[]> {
  // Evaluated over the DevTools protocol, so the page's CSP (no inline scripts) does not block it.
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length, targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
  });
}

/** What one scroll of a virtualised table measured (scrollFrames). */
export interface ScrollMeasure {
  /** Milliseconds between consecutive animation frames while scrolling. */
  frames: number[];
  /** Most rows the table had in the DOM at once. */
  domRows: number;
  /** Durations of the long tasks (over 50 ms) seen meanwhile. */
  longTasks: number[];
  /** aria-rowindex of the last row rendered at the end. */
  reachedRow: number;
  scrolledPx: number;
  scrollPx: number;
}

/**
 * Scrolls the element `selector` from top to bottom in `steps` equal steps, one per animation frame, and
 * records each frame's duration: how smoothly a virtualised table scrolls (the browser test and bench:web).
 */
export function scrollFrames(page: Page, selector: string, steps: number): Promise<ScrollMeasure> {
  return page.evaluate(
    async ([sel, n]) => {
      const el = document.querySelector(sel) as HTMLElement;
      const frames: number[] = [];
      let domRows = 0;
      let last = performance.now();
      const longTasks: number[] = [];
      const po = new PerformanceObserver((l) => l.getEntries().forEach((e) => longTasks.push(e.duration)));
      try {
        po.observe({ type: 'longtask', buffered: false });
      } catch {
        /* longtask not supported */
      }
      const step = Math.ceil((el.scrollHeight - el.clientHeight) / n);
      await new Promise<void>((done) => {
        let i = 0;
        const tick = (t: number) => {
          frames.push(t - last);
          last = t;
          domRows = Math.max(domRows, el.querySelectorAll('[role="row"]').length);
          if (++i >= n) return done();
          el.scrollTop += step;
          requestAnimationFrame(tick);
        };
        requestAnimationFrame((t) => {
          last = t;
          el.scrollTop += step;
          requestAnimationFrame(tick);
        });
      });
      po.disconnect();
      const lastRow = el.querySelector('[role="row"]:last-child')?.getAttribute('aria-rowindex');
      return { frames, domRows, longTasks, reachedRow: Number(lastRow), scrolledPx: el.scrollTop, scrollPx: el.scrollHeight - el.clientHeight };
    },
    [selector, steps] as const,
  );
}

/** A browser test file's shared set-up: one served store, the built app, one Chromium, and signed-in sessions. */
export interface BrowserSuite {
  readonly url: string;
  /** Script errors and failed loads seen by every page of the suite, prefixed with the user and address. */
  readonly consoleProblems: string[];
  session(user: TestUser, viewport: { width: number; height: number }): Promise<{ ctx: BrowserContext; page: Page }>;
}

/** Registers beforeAll/afterAll for a suite over `rows` generated lines (startServer) and returns its handle. */
export function browserSuite(rows: number, opts: ServeOptions = {}): BrowserSuite {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  const consoleProblems: string[] = [];
  beforeAll(async () => {
    [server] = await Promise.all([startServer(rows, opts), buildWeb()]);
    browser = await launch();
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });
  return {
    get url() {
      return server!.url;
    },
    consoleProblems,
    async session(user, viewport) {
      const ctx = await browser!.newContext({ viewport });
      const page = await ctx.newPage();
      page.on('console', (m) => {
        if (m.type() === 'error') consoleProblems.push(`${user.name} ${page.url()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => consoleProblems.push(`${user.name} ${page.url()}: ${e.message}`));
      await signInThroughForm(page, server!.url, user.name);
      return { ctx, page };
    },
  };
}
