/**
 * Two stored runs compared: which anomalies are new in a run, which are gone since the other, which
 * changed score, per detector. Lets an analyst come back after a new batch and read only what is new.
 *
 * Invariants:
 * - Anomalies are matched on (detector, subject key) (subject-key.ts): the same declaration line, party
 *   (and month), country pair or payment, whatever row ids a reload gave them. Keys are unique per detector
 *   within a run, so the comparison is a full outer join with no fan-out.
 * - Both runs are read through the caller's scope (anomalies and analysis_runs are scoped tables), so a
 *   comparison can only ever report on anomalies the caller could list anyway; a run the caller cannot see
 *   is refused with the same message as one that does not exist.
 * - `changed` means the score moved by at least 0.01 (scores are stored to two decimals); a detector whose
 *   version or parameters differ between the runs is compared all the same and marked `settings_changed`,
 *   since its differences may come from the settings rather than the data. A detector only one run ran is
 *   marked too: its anomalies are all new (or all gone) because the other run did not look.
 * - One SQL aggregate inside the engine; no anomaly passes through JavaScript.
 */
import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { ScopedDb } from '../query/index.ts';
import { AnomalyFilterError, latestRunId, listAnomalies, listRuns, type AnomalyFilter, type AnomalyPage, type RunRecord } from './anomaly-queries.ts';
import { assertRowAccess, recordedSettings } from './run-analysis.ts';
import { storedSubjectKeySql } from './subject-key.ts';

export const RUN_CHANGES = ['new', 'gone', 'changed', 'same'] as const;
export type RunChange = (typeof RUN_CHANGES)[number];

/** Smallest score difference that counts as a change (scores are rounded to 0.01). */
export const SCORE_CHANGE = 0.01;

export interface DetectorComparison {
  detector: string;
  in_base: boolean;
  in_run: boolean;
  /** Version or parameters differ between the two runs. */
  settings_changed: boolean;
  base: number;
  run: number;
  new: number;
  gone: number;
  changed: number;
  same: number;
}

export interface RunComparison {
  base: string;
  run: string;
  base_started_at: string;
  run_started_at: string;
  /** Batches the run read that the base did not, per provider. */
  batches_added: Record<string, string[]>;
  /** Batches the base read that the run no longer did (replaced or removed), per provider. */
  batches_dropped: Record<string, string[]>;
  detectors: DetectorComparison[];
  totals: { base: number; run: number; new: number; gone: number; changed: number; same: number };
}

const RUN_ID = /^R[0-9]{6,}$/;

/** The two runs' records, as the caller sees them; a missing or invisible run is a 400 naming which. */
async function visibleRuns(db: ScopedDb, base: string, run: string): Promise<[RunRecord, RunRecord]> {
  for (const [name, id] of [['compared run', base], ['run', run]] as const) {
    if (!RUN_ID.test(id)) throw new AnomalyFilterError(`${name}: use a run id like R000001`);
  }
  const runs = await listRuns(db);
  const find = (id: string, name: string) => {
    const r = runs.find((x) => x.run_id === id);
    if (!r) throw new AnomalyFilterError(`${name} ${id} is not a run you can see (GET /api/runs or parallax analyze --runs lists them)`);
    return r;
  };
  return [find(base, 'compared run'), find(run, 'run')];
}

/** The run stored before `run` (by sequence) that the caller can see, or null when `run` is the first. */
export async function previousRunId(db: ScopedDb, run: string): Promise<string | null> {
  const runs = await listRuns(db);
  const i = runs.findIndex((r) => r.run_id === run);
  return i >= 0 ? (runs[i + 1]?.run_id ?? null) : null;
}

/** One run's anomalies as (detector, key, score), keyed the same way for runs stored before keys were. */
function keyed(k: Kysely<any>, runId: string) {
  return k
    .selectFrom('anomalies as a')
    .select(['a.anomaly_id', 'a.detector', sql.raw<string>(storedSubjectKeySql('a')).as('k'), 'a.score'])
    .where('a.run_id', '=', runId);
}

const settingsOf = (r: RunRecord, detector: string) => recordedSettings(r.params[detector]);

const difference = (a: Record<string, string[]>, b: Record<string, string[]>) => {
  const out: Record<string, string[]> = {};
  for (const [provider, batches] of Object.entries(a)) {
    const other = new Set(b[provider] ?? []);
    const d = batches.filter((x) => !other.has(x));
    if (d.length) out[provider] = d;
  }
  return out;
};

export async function compareRuns(db: ScopedDb, base: string, run: string): Promise<RunComparison> {
  assertRowAccess(db.scope);
  const [b, r] = await visibleRuns(db, base, run);
  const k = db.db as Kysely<any>;
  const rows = await k
    .with('r', () => keyed(k, run))
    .with('b', () => keyed(k, base))
    .selectFrom('r')
    .fullJoin('b', (j) => j.onRef('b.detector', '=', 'r.detector').onRef('b.k', '=', 'r.k'))
    .select([
      sql<string>`coalesce(r.detector, b.detector)`.as('detector'),
      sql<number>`count(r.k)::INTEGER`.as('run'),
      sql<number>`count(b.k)::INTEGER`.as('base'),
      sql<number>`count(*) FILTER (WHERE b.k IS NULL)::INTEGER`.as('new'),
      sql<number>`count(*) FILTER (WHERE r.k IS NULL)::INTEGER`.as('gone'),
      sql<number>`count(*) FILTER (WHERE abs(r.score - b.score) >= ${SCORE_CHANGE}::DOUBLE)::INTEGER`.as('changed'),
      sql<number>`count(*) FILTER (WHERE abs(r.score - b.score) < ${SCORE_CHANGE}::DOUBLE)::INTEGER`.as('same'),
    ])
    .groupBy(sql`coalesce(r.detector, b.detector)`)
    .execute();
  const counts = new Map(rows.map((x) => [String(x['detector']), x]));
  const ids = [...new Set([...r.detectors, ...b.detectors, ...counts.keys()])].sort();
  const detectors = ids.map((detector): DetectorComparison => {
    const c = counts.get(detector);
    const n = (f: 'base' | 'run' | 'new' | 'gone' | 'changed' | 'same') => Number(c?.[f] ?? 0);
    const inBase = b.detectors.includes(detector);
    const inRun = r.detectors.includes(detector);
    return {
      detector,
      in_base: inBase,
      in_run: inRun,
      settings_changed: inBase && inRun && settingsOf(b, detector) !== settingsOf(r, detector),
      base: n('base'),
      run: n('run'),
      new: n('new'),
      gone: n('gone'),
      changed: n('changed'),
      same: n('same'),
    };
  });
  const sum = (f: keyof DetectorComparison) => detectors.reduce((s, d) => s + (d[f] as number), 0);
  return {
    base,
    run,
    base_started_at: b.started_at,
    run_started_at: r.started_at,
    batches_added: difference(r.data_version, b.data_version),
    batches_dropped: difference(b.data_version, r.data_version),
    detectors,
    totals: { base: sum('base'), run: sum('run'), new: sum('new'), gone: sum('gone'), changed: sum('changed'), same: sum('same') },
  };
}

/** Ids of the listed run's anomalies in one class of change against the other run (no match: new / gone). */
function anomaliesByChange(db: ScopedDb, listed: string, other: string, change: RunChange): SelectQueryBuilder<any, any, any> {
  const k = db.db as Kysely<any>;
  const q = k
    .with('l', () => keyed(k, listed))
    .with('o', () => keyed(k, other))
    .selectFrom('l')
    .leftJoin('o', (j) => j.onRef('o.detector', '=', 'l.detector').onRef('o.k', '=', 'l.k'))
    .select('l.anomaly_id');
  if (change === 'new' || change === 'gone') return q.where('o.k', 'is', null);
  const moved = sql<boolean>`abs(l.score - o.score) >= ${SCORE_CHANGE}::DOUBLE`;
  return q.where('o.k', 'is not', null).where(change === 'changed' ? moved : sql<boolean>`NOT ${moved}`);
}

/**
 * The anomaly list narrowed to one class of change against another run (`against`), with every other filter
 * of the list. new / changed / same list anomalies of the run (default: the latest); gone lists anomalies of
 * `against` that the run no longer has, so the page's run_id is then `against`.
 */
export async function listAnomalyChanges(db: ScopedDb, f: AnomalyFilter & { against: string; change: RunChange }): Promise<AnomalyPage> {
  assertRowAccess(db.scope);
  const run = f.run ?? (await latestRunId(db));
  if (!run) return { run_id: null, rows: [], total: 0, offset: f.offset ?? 0, limit: f.limit ?? 100, truncated: false, next_offset: null };
  await visibleRuns(db, f.against, run);
  const [listed, other] = f.change === 'gone' ? [f.against, run] : [run, f.against];
  return listAnomalies(db, { ...f, run: listed, among: anomaliesByChange(db, listed, other, f.change) });
}
