/**
 * Saved reports and their runs in the control store (SQLite or PostgreSQL through Kysely).
 *
 * Invariants:
 * - A report stores the definition only, never results: results depend on who runs it, and are computed
 *   under the runner's scope each time (run-report.ts).
 * - Definitions are re-validated when read (parseReportInput), so a row edited outside the application or
 *   written by an older version fails with a clear error instead of running something unchecked.
 * - Runs are appended, never updated; the schedule's next_run_at moves forward only after a run is recorded.
 */
import type { ControlStore } from '../control/index.ts';
import { parseReportInput, nextMonthly, type ReportInput } from './report-spec.ts';

export interface SavedReport extends ReportInput {
  readonly id: number;
  readonly next_run_at: string | null;
  readonly created_by: string;
  readonly created_at: string;
  readonly updated_at: string;
}

export interface ReportRun {
  readonly id: number;
  readonly report_id: number;
  readonly ran_at: string;
  readonly ran_by: string;
  readonly trigger: string;
  readonly period_label: string | null;
  readonly status: 'ok' | 'error';
  readonly row_count: number | null;
  readonly files: string[];
  readonly message: string | null;
}

export class ReportNotFoundError extends Error {
  readonly statusCode = 404;
  readonly code = 'report not found';
  constructor(ref: string) {
    super(`no report "${ref}"`);
    this.name = 'ReportNotFoundError';
  }
}

export interface ReportStore {
  /** Creates the report, or replaces the definition of the report of that name. */
  save(input: ReportInput, by: string, now?: Date): Promise<SavedReport>;
  list(): Promise<SavedReport[]>;
  /** By numeric id or by name. */
  get(ref: string | number): Promise<SavedReport>;
  remove(id: number): Promise<void>;
  /** Scheduled reports whose next run is at or before `now`. */
  due(now: Date): Promise<SavedReport[]>;
  recordRun(run: Omit<ReportRun, 'id'>): Promise<ReportRun>;
  runs(reportId: number): Promise<ReportRun[]>;
  setNextRun(id: number, at: string | null): Promise<void>;
}

type Row = {
  id: number; name: string; title: string; spec: string; layout: string; schedule: string | null; formats: string;
  next_run_at: string | null; created_by: string; created_at: string; updated_at: string;
};

function fromRow(r: Row): SavedReport {
  const def = parseReportInput({ name: r.name, title: r.title, spec: JSON.parse(r.spec), layout: JSON.parse(r.layout), schedule: r.schedule, formats: r.formats.split(',') });
  return { ...def, id: Number(r.id), next_run_at: r.next_run_at, created_by: r.created_by, created_at: r.created_at, updated_at: r.updated_at };
}

export function reportStore(control: ControlStore): ReportStore {
  const db = control.db;
  const store: ReportStore = {
    async save(input, by, now = new Date()) {
      const at = now.toISOString();
      const values = {
        title: input.title,
        spec: JSON.stringify(input.spec),
        layout: JSON.stringify(input.layout),
        schedule: input.schedule,
        formats: input.formats.join(','),
        next_run_at: input.schedule === 'monthly' ? nextMonthly(now) : null,
        updated_at: at,
      };
      const existing = await db.selectFrom('reports').select('id').where('name', '=', input.name).executeTakeFirst();
      if (existing) await db.updateTable('reports').set(values).where('id', '=', existing.id).execute();
      else await db.insertInto('reports').values({ ...values, name: input.name, created_by: by, created_at: at }).execute();
      return store.get(input.name);
    },
    async list() {
      const rows = await db.selectFrom('reports').selectAll().orderBy('name').execute();
      return rows.map((r) => fromRow(r as Row));
    },
    async get(ref) {
      const asId = typeof ref === 'number' ? ref : /^[0-9]+$/.test(ref) ? Number(ref) : null;
      const q = db.selectFrom('reports').selectAll();
      const r = await (asId !== null ? q.where('id', '=', asId) : q.where('name', '=', String(ref))).executeTakeFirst();
      if (!r) throw new ReportNotFoundError(String(ref));
      return fromRow(r as Row);
    },
    async remove(id) {
      await db.deleteFrom('reports').where('id', '=', id).execute();
    },
    async due(now) {
      const rows = await db
        .selectFrom('reports')
        .selectAll()
        .where('schedule', 'is not', null)
        .where('next_run_at', '<=', now.toISOString())
        .orderBy('id')
        .execute();
      return rows.map((r) => fromRow(r as Row));
    },
    async recordRun(run) {
      const r = await db
        .insertInto('report_runs')
        .values({ ...run, files: JSON.stringify(run.files) })
        .returning('id')
        .executeTakeFirstOrThrow();
      return { ...run, id: Number(r.id) };
    },
    async runs(reportId) {
      const rows = await db.selectFrom('report_runs').selectAll().where('report_id', '=', reportId).orderBy('id', 'desc').limit(100).execute();
      return rows.map((r) => ({ ...r, id: Number(r.id), row_count: r.row_count === null ? null : Number(r.row_count), files: r.files ? (JSON.parse(r.files) as string[]) : [] }));
    },
    async setNextRun(id, at) {
      await db.updateTable('reports').set({ next_run_at: at }).where('id', '=', id).execute();
    },
  };
  return store;
}
