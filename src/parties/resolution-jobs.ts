/**
 * Party re-resolution as a background job of the server process: a merge or split over HTTP is recorded at
 * once and answered with a job id; the re-resolution (minutes at 10M lines) runs here, and the job reports
 * queued / running / done / failed with timing.
 *
 * Invariants:
 * - One resolution at a time per queue (the server builds one queue per app). A request while one runs
 *   joins the single pending run: however many overrides are recorded during a run, the next run applies
 *   them all, because a run reads the list of kept overrides when it starts, never when it was requested.
 * - Each request has its own job (its own id, requester and timing), even when several share one run, so
 *   a job can be shown to whoever started it without showing who else did.
 * - A run resolves under the scope of the first job in it. Only callers whose scope covers a full
 *   resolution (every trade and financial provider at row level, apply-override.ts) are given jobs, so
 *   every job of a run has the same coverage.
 * - Failures are recorded on the job as a message built here (our own errors' messages, else the error
 *   class), and logged by class only: a database error's message may carry values. The override stays
 *   recorded either way and the next resolution applies it.
 * - Start and end of every job are appended to the audit trail under the requester's identity.
 * - Jobs live in this process only and the newest MAX_KEPT are kept; a restart forgets them (the overrides
 *   are in the control store and `parties resolve` or the next merge applies them).
 */
import { randomBytes } from 'node:crypto';
import type { AuditLog } from '../control/index.ts';
import type { ActionContext } from '../runtime/index.ts';
import { ScopeDeniedError, type Scope } from '../query/index.ts';
import { StoreInUseError } from '../store/index.ts';
import type { ResolutionResult } from './resolve-parties.ts';

export type JobStatus = 'queued' | 'running' | 'done' | 'failed';

export interface ResolutionJob {
  job_id: string;
  kind: 'party-resolution';
  status: JobStatus;
  started_by: string;
  /** The merge or split this job applies (with every other override kept when its run starts). */
  override_id: number | null;
  queued_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** Seconds from start to finish of the run. */
  seconds: number | null;
  resolution: ResolutionResult | null;
  error: string | null;
}

export interface ResolutionJobsDeps {
  /** Runs one full resolution under the scope, reading the kept overrides when it starts. */
  resolve(scope: Scope): Promise<ResolutionResult>;
  audit: AuditLog;
  /** Where failures are reported; receives no values, only ids and an error class. */
  log?: (fields: { msg: string; job_ids: string[]; error_class: string }) => void;
  maxKept?: number;
}

export interface ResolutionJobs {
  /** Queues a resolution for this request; starts at once when none runs. Returns the job as it is now. */
  enqueue(ctx: ActionContext, scope: Scope, overrideId: number | null): ResolutionJob;
  get(jobId: string): ResolutionJob | null;
  /** Resolves once nothing is queued or running (server shutdown, tests). */
  idle(): Promise<void>;
}

const MAX_KEPT = 500;

interface Entry {
  job: ResolutionJob;
  ctx: ActionContext;
  scope: Scope;
}

function safeMessage(e: unknown): { message: string; errorClass: string } {
  const errorClass = (e as Error)?.constructor?.name ?? 'unknown';
  if (e instanceof ScopeDeniedError || e instanceof StoreInUseError) return { message: e.message, errorClass };
  return { message: `the re-resolution failed (${errorClass}); the override is kept and applied by the next resolution`, errorClass };
}

const defaultLog: NonNullable<ResolutionJobsDeps['log']> = (f) => void process.stderr.write(`${JSON.stringify({ level: 'error', ...f })}\n`);

export function resolutionJobs(deps: ResolutionJobsDeps): ResolutionJobs {
  const jobs = new Map<string, ResolutionJob>();
  const maxKept = deps.maxKept ?? MAX_KEPT;
  const log = deps.log ?? defaultLog;
  let running: Entry[] | null = null;
  let pending: Entry[] = [];
  let idleWaiters: (() => void)[] = [];

  const snapshot = (j: ResolutionJob): ResolutionJob => ({ ...j });

  const audit = (x: Entry, event: string, outcome: 'allowed' | 'error', objectIds: string[], rowCount: number | null = null) =>
    deps.audit
      .append({ event, principal: x.ctx.principal, role: x.ctx.role ?? null, source: x.ctx.source, client: x.ctx.client ?? null, purpose: x.ctx.purpose ?? null, outcome, objectIds, rowCount, detail: null })
      .catch((e: unknown) => log({ msg: 'audit append failed for a resolution job', job_ids: [x.job.job_id], error_class: (e as Error)?.constructor?.name ?? 'unknown' }));

  function forgetOld(): void {
    for (const [id, j] of jobs) {
      if (jobs.size <= maxKept) break;
      if (j.status === 'done' || j.status === 'failed') jobs.delete(id);
    }
  }

  async function execute(run: Entry[]): Promise<void> {
    const started = new Date();
    const t0 = performance.now();
    for (const x of run) Object.assign(x.job, { status: 'running', started_at: started.toISOString() });
    await Promise.all(run.map((x) => audit(x, 'parties-resolution-start', 'allowed', [x.job.job_id, ...(x.job.override_id === null ? [] : [String(x.job.override_id)])])));
    let result: ResolutionResult | null = null;
    let failure: { message: string; errorClass: string } | null = null;
    try {
      result = await deps.resolve(run[0]!.scope);
    } catch (e) {
      failure = safeMessage(e);
      log({ msg: 'party resolution job failed', job_ids: run.map((x) => x.job.job_id), error_class: failure.errorClass });
    }
    const finished = { finished_at: new Date().toISOString(), seconds: Math.round(performance.now() - t0) / 1000 };
    for (const x of run) Object.assign(x.job, finished, result ? { status: 'done', resolution: result } : { status: 'failed', error: failure!.message });
    await Promise.all(
      run.map((x) => audit(x, 'parties-resolution-end', result ? 'allowed' : 'error', [x.job.job_id, ...(result ? [result.resolution_id] : [])], result?.parties ?? null)),
    );
  }

  function pump(): void {
    if (running) return;
    if (!pending.length) {
      const w = idleWaiters;
      idleWaiters = [];
      for (const f of w) f();
      return;
    }
    const run = pending;
    pending = [];
    running = run;
    void execute(run)
      .catch((e: unknown) => log({ msg: 'party resolution job bookkeeping failed', job_ids: run.map((x) => x.job.job_id), error_class: (e as Error)?.constructor?.name ?? 'unknown' }))
      .finally(() => {
        running = null;
        forgetOld();
        pump();
      });
  }

  return {
    enqueue(ctx, scope, overrideId) {
      const job: ResolutionJob = {
        job_id: `J${randomBytes(6).toString('hex').toUpperCase()}`,
        kind: 'party-resolution',
        status: 'queued',
        started_by: ctx.principal,
        override_id: overrideId,
        queued_at: new Date().toISOString(),
        started_at: null,
        finished_at: null,
        seconds: null,
        resolution: null,
        error: null,
      };
      jobs.set(job.job_id, job);
      pending.push({ job, ctx, scope });
      const answer = snapshot(job);
      // Started on the next turn of the event loop: the request's answer and its own audit event (appended
      // as soon as the caller's action returns) come before the run's start event.
      setImmediate(pump);
      return answer;
    },
    get(jobId) {
      const j = jobs.get(jobId);
      return j ? snapshot(j) : null;
    },
    idle() {
      if (!running && !pending.length) return Promise.resolve();
      return new Promise((r) => idleWaiters.push(r));
    },
  };
}
