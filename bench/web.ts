/**
 * `npm run bench:web`: the web application on the large store, in a real Chromium against a real
 * `parallax serve` on loopback (the CLI in a child process, the same code path as production).
 *
 *   anomalies   time to interactive of /anomalies?detector=price-iqr and of /anomalies (every detector) on
 *               the store's latest analysis run, --loads full page loads each (default 3): the page's own
 *               performance mark 'anomalies-interactive' (startTime, from navigation start) and the wall
 *               clock from navigation until the first table row is visible; p50 and max
 *   explore     /explore by importer, hs6 and month with 100,000 rows (the browser test's query, on the large
 *               store): time until the 100,000 rows are loaded into the table, then frame times while
 *               scrolling top to bottom, one step per animation frame (median, p95, max over --frames
 *               frames, default 300), as test/browser/web-app.test.ts measures them
 *   server      peak RSS of the server process (VmHWM from /proc/<pid>/status at the end; DuckDB runs in it)
 *
 * Data: the store `npm run bench -- --keep` and `parallax analyze` leave in bench/out/data (or --data DIR); it
 * must hold an analysis run. The bench only adds its own investigator account (bench.investigator) through
 * the accounts service, before the server opens the store (DuckDB allows one writer process); it waits (up to
 * 10 minutes) while another process holds the store's lock. The web app is built with Vite when web/dist is
 * missing or older than web/src. Chromium is Debian's (/usr/bin/chromium) through playwright-core.
 * Options: --data DIR, --loads N (3), --frames N (300). Prints JSON and writes bench/out/web.json.
 * Figures measured on a shared machine vary with its load: say so when quoting them.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page, Request } from 'playwright-core';
import { openRuntime, type Runtime } from '../src/runtime/index.ts';
import { buildWeb, launch, PASSWORD, REPO, scrollFrames, serve as serveHarness, signInThroughForm, VIEWPORTS, type ServeProcess } from '../test/browser/browser-harness.ts';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const OUT = resolve('bench/out');
const DATA = resolve(arg('data') ?? join(OUT, 'data'));
const LOADS = Number(arg('loads') ?? 3);
const FRAMES = Number(arg('frames') ?? 300);
const USER = 'bench.investigator';
const LOCK_WAIT_MS = 10 * 60_000;
const EXPLORE_BY = ['importer', 'hs6', 'month'];
const EXPLORE_ROWS = 100_000;
const FIRST_ROW = '[data-testid="anomalies-table"] [role="row"][aria-rowindex="2"]';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const round = (x: number, d = 1) => +x.toFixed(d);
const summary = (xs: number[]) => ({ p50: round(median(xs)), max: round(Math.max(...xs)), runs: xs.map((x) => round(x)) });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (s: string) => process.stderr.write(`${s}\n`);
const time = async <T>(fn: () => Promise<T>): Promise<[number, T]> => {
  const t0 = performance.now();
  const r = await fn();
  return [performance.now() - t0, r];
};
const isLock = (e: unknown) => /lock/i.test(String((e as Error)?.message ?? e));

/** Retries `fn` while the store's lock is held elsewhere, up to 10 minutes in all. */
async function whileLocked<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (!isLock(e) || Date.now() > deadline) throw e;
      log(`${what}: the store is locked by another process; retrying in 20 s`);
      await sleep(20_000);
    }
  }
}

async function count(rt: Runtime, text: string): Promise<number> {
  return rt.store.withWriteConnection(async (c) => Number((await c.runAndReadAll(text)).getRows()[0]![0]));
}

interface StoreFacts {
  lines: number;
  run_id: string;
  runs: number;
  anomalies_in_run: number;
  price_iqr_in_run: number;
  account: 'created' | 'existing' | 'unlocked';
}

/** Checks the store has an analysis run and adds the bench account; closes the runtime before the server opens it. */
async function prepareStore(): Promise<StoreFacts | null> {
  const rt = await openRuntime({ dataDir: DATA, databaseUrl: '' });
  try {
    let runs = 0;
    try {
      runs = await count(rt, 'SELECT count(DISTINCT run_id) FROM analysis_runs');
    } catch {
      /* no analysis has ever run: the table is missing */
    }
    if (runs === 0) return null;
    const runId = await rt.store.withWriteConnection(async (c) => String((await c.runAndReadAll('SELECT run_id FROM analysis_runs ORDER BY run_seq DESC LIMIT 1')).getRows()[0]![0]));
    const q = runId.replaceAll("'", "''");
    const facts = {
      lines: await count(rt, 'SELECT count(*) FROM trade_lines'),
      run_id: runId,
      runs,
      anomalies_in_run: await count(rt, `SELECT count(*) FROM anomalies WHERE run_id = '${q}'`),
      price_iqr_in_run: await count(rt, `SELECT count(*) FROM anomalies WHERE run_id = '${q}' AND detector = 'price-iqr'`),
    };
    const existing = await rt.access.accounts.get(USER);
    let account: StoreFacts['account'] = 'existing';
    if (!existing) {
      await rt.access.accounts.add({ name: USER, role: 'investigator', provider: null, password: PASSWORD, by: 'bench', displayName: 'Bench Investigator' });
      account = 'created';
    } else if (existing.status === 'locked') {
      await rt.access.accounts.unlock(existing.id, { name: 'bench', custodian: true }, 'bench:web sign-in');
      account = 'unlocked';
    }
    return { ...facts, account };
  } finally {
    await rt.close();
  }
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds web/ into web/dist when it is missing or older than its sources; returns the seconds taken, or null when up to date. */
async function ensureWeb(): Promise<number | null> {
  const index = join(REPO, 'web', 'dist', 'index.html');
  const sources = Math.max(newestMtime(join(REPO, 'web', 'src')), statSync(join(REPO, 'web', 'index.html')).mtimeMs, statSync(join(REPO, 'web', 'vite.config.ts')).mtimeMs);
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return null;
  log('building the web app...');
  const [ms] = await time(() => buildWeb());
  return round(ms / 1000, 1);
}

function peakRssMiB(pid: number): number | null {
  const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : null;
}

/**
 * One full page load of `path`: the page's interactive mark, and when the first row became visible, both by
 * the wall clock here (from just before navigating) and in the page (performance.now(), from navigation
 * start; checked every animation frame, so within a frame of the paint).
 */
async function anomaliesLoad(page: Page, url: string, path: string): Promise<{ mark: number; visible: number; inPage: number; rows: number }> {
  const t0 = Date.now();
  await page.goto(`${url}${path}`, { waitUntil: 'commit' });
  const inPage = await page.waitForFunction(
    (sel: string) => {
      const el = document.querySelector(sel);
      if (!el) return false;
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.height > 0 && r.top < window.innerHeight && getComputedStyle(el).visibility !== 'hidden' ? performance.now() : false;
    },
    FIRST_ROW,
    { polling: 'raf', timeout: 300_000 },
  );
  const visible = Date.now() - t0;
  await page.waitForFunction(() => performance.getEntriesByName('anomalies-interactive').length > 0, undefined, { timeout: 60_000 });
  const mark = await page.evaluate(() => performance.getEntriesByName('anomalies-interactive')[0]!.startTime);
  const rows = await page.locator('[data-testid="anomalies-table"]').getAttribute('aria-rowcount');
  return { mark, visible, inPage: (await inPage.jsonValue()) as number, rows: Number(rows) - 1 };
}

async function exploreScroll(page: Page, url: string) {
  const path = `/explore?by=${EXPLORE_BY.join(',')}&measure=lines,value&rows=${EXPLORE_ROWS}`;
  // Each page of groups the app fetches (GET /api/explore, 10,000 groups a page): its duration to the last byte.
  const api: number[] = [];
  const onFinished = (req: Request) => {
    if (!new URL(req.url()).pathname.startsWith('/api/explore')) return;
    const t = req.timing();
    if (t.responseEnd > 0) api.push(t.responseEnd - Math.max(0, t.requestStart));
  };
  page.on('requestfinished', onFinished);
  const t0 = Date.now();
  await page.goto(`${url}${path}`);
  const status = page.getByTestId('explore-status');
  await page.waitForFunction(() => document.querySelector('[data-testid="explore-status"]')?.getAttribute('data-complete') === 'true', undefined, { timeout: 900_000, polling: 250 });
  const loadMs = Date.now() - t0;
  const loaded = Number(await status.getAttribute('data-loaded-rows'));
  const statusText = (await status.textContent()) ?? '';
  const total = Number(/of ([\d,]+) groups/.exec(statusText)?.[1]?.replaceAll(',', '') ?? NaN);
  const mark = await page.evaluate(() => performance.getEntriesByName('explore-result-complete')[0]?.startTime ?? null);
  page.off('requestfinished', onFinished);
  // The same loop as the browser test: one scroll step per animation frame, top to bottom.
  const r = await scrollFrames(page, '[data-testid="explore-table"]', FRAMES);
  const s = [...r.frames].sort((a, b) => a - b);
  const p95 = s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)]!;
  return {
    path,
    dimensions: EXPLORE_BY,
    total_groups: total,
    loaded_rows: loaded,
    load_ms: loadMs,
    result_complete_mark_ms: mark === null ? null : round(mark),
    api_pages: { requests: api.length, ...(api.length ? { first_ms: round(api[0]!), p50_ms: round(median(api)), max_ms: round(Math.max(...api)), sum_ms: round(api.reduce((a, b) => a + b, 0)) } : {}) },
    scroll: {
      frames: r.frames.length,
      median_ms: round(median(r.frames)),
      p95_ms: round(p95),
      max_ms: round(s[s.length - 1]!),
      over_50ms: r.frames.filter((f) => f > 50).length,
      long_tasks: r.longTasks.length,
      longest_task_ms: r.longTasks.length ? round(Math.max(...r.longTasks)) : 0,
      max_dom_rows: r.domRows,
      reached_row: r.reachedRow,
      scrolled_px: Math.round(r.scrolledPx),
      of_px: Math.round(r.scrollPx),
    },
  };
}

async function main() {
  if (!existsSync(join(DATA, 'parallax.duckdb'))) {
    log(`no store in ${DATA}: run \`npm run bench -- --keep\` (or pass --data DIR), then \`node bin/parallax.js analyze --data ${DATA}\``);
    process.exit(1);
  }
  mkdirSync(OUT, { recursive: true });
  const [web, facts] = await Promise.all([ensureWeb(), whileLocked('opening the store', () => prepareStore())]);
  if (!facts) {
    log(`${DATA} has no analysis run: run \`node bin/parallax.js analyze --data ${DATA}\` first`);
    process.exit(1);
  }
  log(`${facts.lines.toLocaleString('en-US')} lines, run ${facts.run_id} with ${facts.anomalies_in_run.toLocaleString('en-US')} anomalies; starting the server...`);

  let server: ServeProcess | undefined;
  let browser: Browser | undefined;
  const problems: string[] = [];
  try {
    const [startMs, s] = await time(() => whileLocked('starting the server', () => serveHarness(DATA, { extraArgs: ['--no-report-schedule'], startTimeoutMs: 5 * 60_000 })));
    server = s;
    browser = await launch();
    const ctx = await browser.newContext({ viewport: VIEWPORTS.desktop });
    // tsx compiles with esbuild's keepNames, which wraps the named functions of the page.evaluate callbacks in
    // __name(...): give the page a no-op one (an init script over the DevTools protocol, so the CSP allows it).
    await ctx.addInitScript({ content: 'globalThis.__name = globalThis.__name || ((f) => f);' });
    const page = await ctx.newPage();
    let signedIn = false;
    page.on('console', (m) => {
      // Before sign-in the app asks for the session and is refused (401): expected, as in the browser test.
      if (!signedIn && /status of 401/.test(m.text())) return;
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    const [signInMs] = await time(() => signInThroughForm(page, s.url, USER));
    signedIn = true;

    const anomalies: Record<string, unknown> = {};
    for (const [name, path] of [['price-iqr', '/anomalies?detector=price-iqr'], ['all', '/anomalies']] as const) {
      const loads = [];
      for (let i = 0; i < LOADS; i++) {
        log(`anomalies ${name}: load ${i + 1} of ${LOADS}`);
        loads.push(await anomaliesLoad(page, s.url, path));
      }
      anomalies[name] = {
        path,
        loads: LOADS,
        listed_rows: loads[0]!.rows,
        interactive_mark_ms: summary(loads.map((l) => l.mark)),
        first_row_visible_ms: summary(loads.map((l) => l.visible)),
        first_row_visible_in_page_ms: summary(loads.map((l) => l.inPage)),
      };
    }

    log(`explore: loading ${EXPLORE_ROWS.toLocaleString('en-US')} rows by ${EXPLORE_BY.join(', ')}...`);
    const explore = await exploreScroll(page, s.url);
    const results = {
      data: DATA,
      lines: facts.lines,
      analysis_runs: facts.runs,
      latest_run: { run_id: facts.run_id, anomalies: facts.anomalies_in_run, price_iqr: facts.price_iqr_in_run },
      bench_account: facts.account,
      web_build_s: web,
      server_start_s: round(startMs / 1000, 2),
      sign_in_ms: Math.round(signInMs),
      anomalies_time_to_interactive: anomalies,
      explore_100k: explore,
      server_peak_rss_mib: peakRssMiB(s.pid),
      page_console_problems: problems,
    };
    await ctx.close();
    writeFileSync(join(OUT, 'web.json'), `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  } catch (e) {
    if (server) log(`server log (tail):\n${server.log().slice(-3000)}`);
    if (problems.length) log(`page console:\n${problems.join('\n')}`);
    throw e;
  } finally {
    await browser?.close().catch(() => undefined);
    await server?.stop();
  }
}

await main();
