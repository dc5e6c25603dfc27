/**
 * The report schedule inside a running server: checks for due reports at start and then every interval,
 * and runs them into the report archive (run-report.ts `runDue`), so a deployment that runs `parallax serve`
 * gets its monthly reports without a cron entry. `parallax reports run-due` stays for deployments without
 * a long-running server.
 *
 * Invariants:
 * - One check at a time: a tick while a check runs is skipped, never queued, so a slow month cannot pile up
 *   runs; the next tick catches up because a report stays due until its run is recorded.
 * - Runs under the scope and identity the server's operator gives it (never a web user's), like cron.
 * - A failing check is logged by error class only (no values) and does not stop the schedule; failures of
 *   single reports are already recorded on their runs by runDue.
 * - The timer does not keep the process alive, and `stop()` waits for a check in progress, so the server
 *   closes its stores only after the last archive file is written.
 */
import type { ReportRun } from './report-store.ts';

export interface ReportSchedulerOptions {
  /** Runs every due report once (runDue bound to the server's stores, operator and scope). */
  runDue(now: Date): Promise<ReportRun[]>;
  /** Milliseconds between checks (default one hour: monthly reports need no finer grain). */
  intervalMs?: number;
  /** Called after each check that ran something, and on failures (error class only). */
  log?: (line: string) => void;
  now?: () => Date;
}

export interface ReportScheduler {
  /** Resolves when the check in progress (if any) has finished; no check starts afterwards. */
  stop(): Promise<void>;
  /** Runs one check now, or joins the one in progress; resolves with what that check ran. */
  tick(): Promise<ReportRun[]>;
}

export const DEFAULT_REPORT_CHECK_MS = 60 * 60 * 1000;

export function reportScheduler(o: ReportSchedulerOptions): ReportScheduler {
  const log = o.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const now = o.now ?? (() => new Date());
  let running: Promise<ReportRun[]> | null = null;
  let stopped = false;

  const tick = (): Promise<ReportRun[]> => {
    if (running) return running;
    if (stopped) return Promise.resolve([]);
    running = o
      .runDue(now())
      .then((runs) => {
        if (runs.length) {
          const ok = runs.filter((r) => r.status === 'ok').length;
          log(`scheduled reports: ${ok} written to the archive${runs.length > ok ? `, ${runs.length - ok} failed (each run records why)` : ''}`);
        }
        return runs;
      })
      .catch((e: unknown) => {
        log(`scheduled reports: the check failed (${(e as Error)?.constructor?.name ?? 'unknown'}); it is retried at the next check`);
        return [];
      })
      .finally(() => {
        running = null;
      });
    return running;
  };

  const timer = setInterval(() => void tick(), o.intervalMs ?? DEFAULT_REPORT_CHECK_MS);
  timer.unref();
  void tick();

  return {
    tick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      if (running) await running;
    },
  };
}
