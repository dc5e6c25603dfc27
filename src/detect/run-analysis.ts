/**
 * An analysis run: validate detector parameters, run each detector's scoped query inside DuckDB, and store
 * the run and its anomalies in one transaction.
 *
 * Invariants:
 * - Rows never pass through JavaScript: each detector's scoped Kysely query is compiled (the scope plugin
 *   has already wrapped every table it reads) and embedded in `INSERT INTO anomalies SELECT ... FROM (...)`,
 *   its bound parameters passed through unchanged, run-level values appended as further parameters.
 * - All parameters are validated before any SQL runs, so a bad `--param` stores nothing.
 * - One transaction on the (serialised) write connection: the data version recorded (the batches whose
 *   current rows the run could see, read through the same scope) is the data the detectors read, and a
 *   failed run leaves no partial rows.
 * - Line-level findings need row-level access to trade data; aggregate-only grants are refused.
 * - Deterministic: anomaly ids are run id + detector + row id; detector output is ordered by row id.
 * - Provider isolation (issue: statistics over another provider's data): every detector runs once per provider
 *   whose rows the run may read, on the run's scope narrowed to that provider (`narrowedTo`), so each group,
 *   history, model and ring behind a provider's finding is computed from that provider's rows alone, and the
 *   finding records its basis ['trade:P']. A detector marked `crossProvider` (payment-mismatch: a bank's
 *   payment linked to another provider's declaration) runs once on the whole scope, and each of its findings
 *   records the category and provider of every row it names. The scope layer shows a finding only to a scope
 *   that may read every provider of its basis (query/scope-plugin.ts), so anomalies, evidence, rankings, run
 *   summaries and comparison groups shown to a partner are computed from data that partner may read.
 * - Incremental (`since`): a partitioned detector whose version and parameters equal the earlier run's
 *   recomputes only the partitions (provider, hs6, flow) where batches loaded since added or superseded lines,
 *   and copies the earlier run's anomalies of current lines elsewhere, so the stored result equals a full run
 *   (tested). Anything else (another detector, changed parameters, a batch of the earlier run gone) runs in full;
 *   the run record names the run each incremental detector built on (`incremental_from`).
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import { grantFor, ScopeDeniedError, scopedDb, type Scope, type ScopedDb } from '../query/index.ts';
import type { AnalyticalStore } from '../store/index.ts';
import { DATASETS, type DatasetCategory } from '../schema/index.ts';
import { ANOMALY_COLUMNS, DetectorParamError, parseParams, partitionKey, type Detector } from './detector.ts';
import { DETECTORS, detectorById } from './detector-registry.ts';
import { subjectKeySql } from './subject-key.ts';

export interface RunRequest {
  /** Detector ids; all registered detectors when empty. */
  readonly detectors?: readonly string[];
  /** Raw parameters per detector id, validated here. */
  readonly params?: Readonly<Record<string, Record<string, unknown>>>;
  /**
   * Incremental: an earlier run whose anomalies are kept where no batch loaded since can change them. A
   * partitioned detector with the same version and parameters in that run recomputes only the partitions
   * (provider, hs6, flow) that new batches added or superseded lines in; any other detector runs in full.
   */
  readonly since?: string | undefined;
}

export interface DetectorSummary {
  id: string;
  version: string;
  params: Record<string, unknown>;
  anomalies: number;
  top_score: number | null;
  /** 'incremental': recomputed where new batches touched, the rest kept from `since`. */
  mode: 'full' | 'incremental';
  /** Anomalies kept from the earlier run (incremental mode). */
  reused: number;
  /** Wall-clock seconds the detector took in this run (query and insert), for capacity planning. */
  seconds: number;
}

export interface RunResult {
  run_id: string;
  started_at: string;
  data_version: Record<string, string[]>;
  detectors: DetectorSummary[];
}

/**
 * The scope narrowed to one provider: every grant that covers the provider reads that provider only, every
 * other grant reads nothing (an empty list, not an error, so a detector that needs it finds nothing).
 * Reference data and watch lists are not provider data and stay as they are.
 */
export function narrowedTo(scope: Scope, provider: string): Scope {
  return {
    principal: scope.principal,
    grants: scope.grants.map((g) =>
      g.category === 'reference' || g.category === 'watchlist' ? g : { ...g, providers: g.providers === '*' || g.providers.includes(provider) ? [provider] : [] },
    ),
  };
}

export function assertRowAccess(scope: Scope): void {
  const g = grantFor(scope, 'trade');
  if (!g) throw new ScopeDeniedError('trade data');
  if (g.level !== 'row') throw new ScopeDeniedError('line-level anomalies at aggregate-only access');
}

/** Resolves ids and validates parameters; throws DetectorParamError naming the detector or parameter. */
export function planRun(req: RunRequest): { detector: Detector; params: Record<string, unknown> }[] {
  const ids = req.detectors?.length ? [...new Set(req.detectors)] : DETECTORS.map((d) => d.id);
  for (const id of Object.keys(req.params ?? {})) {
    if (!ids.includes(id)) throw new DetectorParamError(`parameter for ${detectorById(id) ? 'a detector not in this run' : 'an unknown detector'}: ${id}`);
  }
  return ids.map((id) => {
    const detector = detectorById(id);
    if (!detector) throw new DetectorParamError(`unknown detector ${id}: use one of ${DETECTORS.map((d) => d.id).join(', ')}`);
    return { detector, params: parseParams(detector, req.params?.[id] ?? {}) };
  });
}

/** Rewrites $1..$n of a compiled statement to $(1+shift).. so it can follow other parameters. */
function shiftPlaceholders(text: string, shift: number): string {
  return text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + shift}`);
}

async function rows(c: DuckDBConnection, text: string, params: readonly unknown[]): Promise<Record<string, unknown>[]> {
  const r = await c.runAndReadAll(text, params as DuckDBValue[]);
  return r.getRowObjectsJson() as Record<string, unknown>[];
}

interface PreviousRun {
  runId: string;
  batches: Set<string>;
  params: Record<string, unknown>;
}

/**
 * A stored data version (one provider's row) by category: `{trade: [...], financial: [...]}`; runs stored
 * before categories were recorded hold a plain list of trade batches.
 */
export function storedBatches(v: unknown): Partial<Record<DatasetCategory, string[]>> {
  if (Array.isArray(v)) return { trade: v.map(String) };
  return (v ?? {}) as Partial<Record<DatasetCategory, string[]>>;
}

/** The earlier run an incremental run builds on, as the caller may see it. */
async function previousRun(db: ScopedDb, runId: string): Promise<PreviousRun> {
  const r = await (db.db as Kysely<any>).selectFrom('analysis_runs as r').where('r.run_id', '=', runId).select(['r.data_version', 'r.params']).execute();
  if (!r.length) throw new DetectorParamError('the run given as --since is not a run you can see (see parallax analyze --runs)');
  const parse = (v: unknown): any => (typeof v === 'string' ? JSON.parse(v) : v);
  return { runId, batches: new Set(r.flatMap((x) => Object.values(storedBatches(parse(x['data_version']))).flat())), params: parse(r[0]!['params']) };
}

/** The datasets detectors read rows of: a run's data version names the batches of each that the caller may see. */
const READ_DATASETS = ['trade_lines', 'payments', 'mirror_stats'] as const;

/**
 * (provider, batch_id, category) of every batch whose rows the run can read: declarations, and payments and
 * mirror statistics where the scope grants their category at row level (a dataset outside the scope is not
 * read by any detector, so it is not part of the data the run saw).
 */
function dataVersionQuery(db: ScopedDb) {
  const k = db.db as Kysely<any>;
  const parts = READ_DATASETS.filter((d) => grantFor(db.scope, DATASETS[d].category)?.level === 'row').map((d) =>
    k.selectFrom(`${d} as t`).select(['t.provider', 't.batch_id', sql<string>`${DATASETS[d].category}`.as('category')]).distinct(),
  );
  const [first, ...rest] = parts;
  return k.selectFrom(rest.reduce((q, p) => q.union(p), first!).as('v')).selectAll('v').orderBy('v.provider').orderBy('v.batch_id');
}

/**
 * Current trade lines per provider the run can read: the population the combined ranking calibrates each
 * detector's scores against (ranking.ts), stored with the run so the ranking of an old run does not move
 * when new batches arrive.
 */
function populationQuery(db: ScopedDb) {
  return (db.db as Kysely<any>).selectFrom('trade_lines as t').select(['t.provider', sql<number>`count(*)::BIGINT`.as('n')]).groupBy('t.provider');
}

/** Same detector version and parameters as recorded in the earlier run (its own incremental origin aside). */
function sameSettings(recorded: unknown, now: Record<string, unknown>): boolean {
  return recordedSettings(recorded) === JSON.stringify(now);
}

/** A detector's recorded version and parameters, without its incremental origin, as comparable text (null if none). */
export function recordedSettings(recorded: unknown): string | null {
  if (!recorded || typeof recorded !== 'object') return null;
  const { incremental_from: _, ...rest } = recorded as Record<string, unknown>;
  return JSON.stringify(rest);
}

/**
 * Partitions (partitionKey) in which lines were added or superseded by batches the earlier run did not read:
 * the only partitions where a partitioned detector's results can differ from that run's.
 */
function touchedPartitions(db: ScopedDb, prevBatches: string[]): SelectQueryBuilder<any, any, any> {
  const k = db.db as Kysely<any>;
  const added = k.selectFrom('trade_lines as n').select(sql.raw<string>(partitionKey('n')).as('k'));
  const gone = k.selectFrom('trade_lines_history as h').select(sql.raw<string>(partitionKey('h')).as('k')).where('h.superseded_by', 'is not', null);
  if (!prevBatches.length) return added.union(gone);
  return added.where('n.batch_id', 'not in', prevBatches).union(gone.where('h.superseded_by', 'not in', prevBatches));
}

/** An earlier run's anomalies of one detector on lines that are still current and outside the touched partitions. */
function reusedAnomalies(db: ScopedDb, runId: string, detectorId: string, touched: SelectQueryBuilder<any, any, any>) {
  return (db.db as Kysely<any>)
    .selectFrom('anomalies as a')
    .innerJoin('trade_lines as t', (j) => j.onRef('t.row_id', '=', 'a.row_id').onRef('t.provider', '=', 'a.provider'))
    .where('a.run_id', '=', runId)
    .where('a.detector', '=', detectorId)
    .where(sql.raw(partitionKey('t')), 'not in', touched)
    .select(ANOMALY_COLUMNS.map((col) => `a.${col}`));
}

/**
 * The basis of a cross-provider detector's findings of this run: 'category:provider' of every row each names
 * (its payment and the declaration lines it was matched with), so a scope sees the finding only when it may
 * read all of them. Provenance only, computed inside the engine on the rows the finding already names.
 */
async function recordRowBasis(c: DuckDBConnection, runId: string, detectorId: string): Promise<void> {
  await c.run(
    `UPDATE anomalies SET basis = b.basis FROM (
       SELECT a.anomaly_id, list_sort(list_distinct(list(r.c))) AS basis
       FROM (SELECT anomaly_id, unnest(row_ids) AS rid FROM anomalies WHERE run_id = $1 AND detector = $2) a
       JOIN (SELECT row_id, 'trade:' || provider AS c FROM trade_lines UNION ALL SELECT row_id, 'financial:' || provider AS c FROM payments) r ON r.row_id = a.rid
       GROUP BY a.anomaly_id) b
     WHERE anomalies.anomaly_id = b.anomaly_id`,
    [runId, detectorId],
  );
}

export async function runAnalysis(store: AnalyticalStore, scope: Scope, req: RunRequest): Promise<RunResult> {
  assertRowAccess(scope);
  const plan = planRun(req);
  const db = scopedDb(store, scope);
  const versionQuery = dataVersionQuery(db).compile();
  const linesQuery = populationQuery(db).compile();
  const prev = req.since ? await previousRun(db, req.since) : null;
  const startedAt = new Date().toISOString();

  return store.withWriteConnection(async (c) => {
    await c.run('BEGIN TRANSACTION');
    try {
      const seqRow = await rows(c, 'SELECT (coalesce(max(run_seq), 0) + 1)::INTEGER AS s FROM analysis_runs', []);
      const seq = Number(seqRow[0]!['s']);
      const runId = `R${String(seq).padStart(6, '0')}`;
      const dataVersion: Record<string, string[]> = {};
      const byCategory: Record<string, Record<string, string[]>> = {};
      for (const r of await rows(c, versionQuery.sql, versionQuery.parameters)) {
        (dataVersion[String(r['provider'])] ??= []).push(String(r['batch_id']));
        ((byCategory[String(r['provider'])] ??= {})[String(r['category'])] ??= []).push(String(r['batch_id']));
      }
      const population = new Map((await rows(c, linesQuery.sql, linesQuery.parameters)).map((r) => [String(r['provider']), Number(r['n'])]));
      const summaries: DetectorSummary[] = [];
      // Incremental only when every batch the earlier run read is still loaded: a removed batch changes
      // groups no new batch names.
      const current = new Set(Object.values(dataVersion).flat());
      // Findings of runs stored before findings recorded their basis cannot be kept: a narrowed scope does
      // not see them, so the run would lose them.
      const unbased = prev ? await rows(c, 'SELECT count(*)::INTEGER AS n FROM anomalies WHERE run_id = $1 AND basis IS NULL', [prev.runId]) : [];
      const canReuse = prev !== null && [...prev.batches].every((b) => current.has(b)) && Number(unbased[0]?.['n'] ?? 0) === 0;
      const readProviders = Object.keys(dataVersion);
      // One pass per provider on the scope narrowed to it; cross-provider detectors one pass on the whole scope.
      const passesOf = (d: Detector) =>
        d.crossProvider ? [{ db, basis: null as string | null }] : readProviders.map((p) => ({ db: scopedDb(store, narrowedTo(scope, p)), basis: `trade:${p}` as string | null }));
      const recorded: Record<string, Record<string, unknown>> = {};
      for (const { detector, params } of plan) {
        const t0 = performance.now();
        const same = canReuse && detector.partitioned === true && sameSettings(prev.params[detector.id], { version: detector.version, ...params });
        const subjectKey = subjectKeySql('d', detector.subject);
        const insert = (sqlText: string, qParams: readonly unknown[], basis: string | null) => {
          const n = qParams.length;
          const cols = ANOMALY_COLUMNS.map((x) => `d.${x}`).join(', ');
          // Run-level values are parameters $n+1.. after the query's own.
          return c.run(
            `INSERT INTO anomalies (run_id, anomaly_id, detector, detector_version, params, category, subject_key, basis, ${ANOMALY_COLUMNS.join(', ')}) ` +
              `SELECT $${n + 1}, $${n + 1} || '.' || $${n + 2} || '.' || d.row_id::VARCHAR, $${n + 2}, $${n + 3}, $${n + 4}::JSON, $${n + 5}, ${subjectKey}, ` +
              `CASE WHEN $${n + 6}::VARCHAR IS NULL THEN NULL ELSE [$${n + 6}::VARCHAR] END, ${cols} ` +
              `FROM (${sqlText}) AS d`,
            [...(qParams as DuckDBValue[]), runId, detector.id, detector.version, JSON.stringify(params), detector.category ?? 'trade', basis],
          );
        };
        let reused = 0;
        for (const pass of passesOf(detector)) {
          const touched = same ? touchedPartitions(pass.db, [...prev!.batches]) : null;
          const q = detector.build(pass.db, params, touched ? { touched } : {}).compile();
          await insert(q.sql, q.parameters, pass.basis);
          if (touched) {
            const r = reusedAnomalies(pass.db, prev!.runId, detector.id, touched).compile();
            const before = await rows(c, 'SELECT count(*)::INTEGER AS n FROM anomalies WHERE run_id = $1 AND detector = $2', [runId, detector.id]);
            await insert(r.sql, r.parameters, pass.basis);
            const after = await rows(c, 'SELECT count(*)::INTEGER AS n FROM anomalies WHERE run_id = $1 AND detector = $2', [runId, detector.id]);
            reused += Number(after[0]!['n']) - Number(before[0]!['n']);
          }
        }
        if (detector.crossProvider) await recordRowBasis(c, runId, detector.id);
        recorded[detector.id] = { version: detector.version, ...params, ...(same ? { incremental_from: prev.runId } : {}) };
        const s = await rows(
          c,
          'SELECT count(*)::INTEGER AS n, max(score)::DOUBLE AS top FROM anomalies WHERE run_id = $1 AND detector = $2',
          [runId, detector.id],
        );
        summaries.push({ id: detector.id, version: detector.version, params, anomalies: Number(s[0]!['n']), top_score: (s[0]!['top'] as number | null) ?? null, mode: same ? 'incremental' : 'full', reused, seconds: Math.round(performance.now() - t0) / 1000 });
      }
      const allParams = JSON.stringify(recorded);
      const detectorIds = plan.map((p) => p.detector.id);
      const providers = Object.keys(dataVersion).length ? Object.keys(dataVersion) : [''];
      for (const provider of providers) {
        await c.run(
          `INSERT INTO analysis_runs (run_id, run_seq, provider, started_at, finished_at, detectors, params, data_version, principal, anomaly_count, lines)
           SELECT $1, $2, $3, $4::TIMESTAMP, current_timestamp::TIMESTAMP, $5::VARCHAR[], $6::JSON, $7::JSON, $8,
             (SELECT count(*) FROM anomalies WHERE run_id = $1 AND provider = $3), $9::BIGINT`,
          [runId, seq, provider, startedAt.replace('T', ' ').replace('Z', ''), `[${detectorIds.join(',')}]`, allParams, JSON.stringify(byCategory[provider] ?? {}), scope.principal, population.get(provider) ?? 0],
        );
      }
      await c.run('COMMIT');
      return { run_id: runId, started_at: startedAt, data_version: dataVersion, detectors: summaries };
    } catch (e) {
      await c.run('ROLLBACK').catch(() => undefined);
      throw e;
    }
  });
}
