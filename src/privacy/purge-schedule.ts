/**
 * The purge as a job of a running server: a deployment that runs `parallax serve` gets its retention
 * periods applied without a cron entry (a CLI `purge` cannot run beside the server: the analytical store
 * is locked by it).
 *
 * Invariants:
 * - Due when the newest purge record (by anyone: the CLI, the API, this job) is older than a day, checked
 *   at start and every hour, so a restart neither skips a day nor purges twice in one.
 * - One run at a time: a tick during a run joins it, never queues another.
 * - Runs as the server's operator (never a web user), audited like any purge; a failure is logged by error
 *   class only and retried at the next check.
 * - The timer does not keep the process alive, and `stop()` waits for a run in progress, so the server
 *   closes its stores only after the purge transaction has ended.
 */
import type { PurgeReport } from './purge.ts';
import type { RetentionStore } from './retention-store.ts';

export interface PurgeScheduleOptions {
  retention: RetentionStore;
  /** Runs one purge now (purgeExpired bound to the server's stores and audited as its operator). */
  purge(now: Date): Promise<PurgeReport>;
  intervalMs?: number;
  /** How long after a purge the next is due. Default one day. */
  everyMs?: number;
  log?: (line: string) => void;
  now?: () => Date;
}

export interface PurgeSchedule {
  /** Runs a purge now if one is due (or joins the run in progress); resolves with its report, or null. */
  tick(): Promise<PurgeReport | null>;
  stop(): Promise<void>;
}

export const DEFAULT_PURGE_CHECK_MS = 60 * 60 * 1000;
export const DEFAULT_PURGE_EVERY_MS = 24 * 60 * 60 * 1000;

export function purgeSchedule(o: PurgeScheduleOptions): PurgeSchedule {
  const log = o.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const now = o.now ?? (() => new Date());
  const every = o.everyMs ?? DEFAULT_PURGE_EVERY_MS;
  let running: Promise<PurgeReport | null> | null = null;
  let stopped = false;

  const check = async (): Promise<PurgeReport | null> => {
    const t = now();
    const [last] = await o.retention.purges(1);
    if (last && t.getTime() - Date.parse(last.at) < every) return null;
    const r = await o.purge(t);
    if (r.rowsRemoved > 0) log(`scheduled purge ${r.purgeId}: ${r.rowsRemoved} expired row(s) removed`);
    return r;
  };

  const tick = (): Promise<PurgeReport | null> => {
    if (running) return running;
    if (stopped) return Promise.resolve(null);
    running = check()
      .catch((e: unknown) => {
        log(`scheduled purge: the run failed (${(e as Error)?.constructor?.name ?? 'unknown'}); it is retried at the next check`);
        return null;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };

  const timer = setInterval(() => void tick(), o.intervalMs ?? DEFAULT_PURGE_CHECK_MS);
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
