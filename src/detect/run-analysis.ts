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
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { Kysely } from 'kysely';
import { grantFor, ScopeDeniedError, scopedDb, type Scope } from '../query/index.ts';
import type { AnalyticalStore } from '../store/index.ts';
import { ANOMALY_COLUMNS, DetectorParamError, parseParams, type Detector } from './detector.ts';
import { DETECTORS, detectorById } from './detector-registry.ts';

export interface RunRequest {
  /** Detector ids; all registered detectors when empty. */
  readonly detectors?: readonly string[];
  /** Raw parameters per detector id, validated here. */
  readonly params?: Readonly<Record<string, Record<string, unknown>>>;
}

export interface DetectorSummary {
  id: string;
  version: string;
  params: Record<string, unknown>;
  anomalies: number;
  top_score: number | null;
}

export interface RunResult {
  run_id: string;
  started_at: string;
  data_version: Record<string, string[]>;
  detectors: DetectorSummary[];
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

export async function runAnalysis(store: AnalyticalStore, scope: Scope, req: RunRequest): Promise<RunResult> {
  assertRowAccess(scope);
  const plan = planRun(req);
  const db = scopedDb(store, scope);
  const versionQuery = (db.db as Kysely<any>)
    .selectFrom('trade_lines as t')
    .select(['t.provider', 't.batch_id'])
    .distinct()
    .orderBy('t.provider')
    .orderBy('t.batch_id')
    .compile();
  const compiled = plan.map((p) => ({ ...p, q: p.detector.build(db, p.params).compile() }));
  const startedAt = new Date().toISOString();

  return store.withWriteConnection(async (c) => {
    await c.run('BEGIN TRANSACTION');
    try {
      const seqRow = await rows(c, 'SELECT (coalesce(max(run_seq), 0) + 1)::INTEGER AS s FROM analysis_runs', []);
      const seq = Number(seqRow[0]!['s']);
      const runId = `R${String(seq).padStart(6, '0')}`;
      const dataVersion: Record<string, string[]> = {};
      for (const r of await rows(c, versionQuery.sql, versionQuery.parameters)) {
        (dataVersion[String(r['provider'])] ??= []).push(String(r['batch_id']));
      }
      const summaries: DetectorSummary[] = [];
      for (const { detector, params, q } of compiled) {
        const n = q.parameters.length;
        const cols = ANOMALY_COLUMNS.map((x) => `d.${x}`).join(', ');
        // Run-level values are parameters $n+1.. after the detector query's own.
        const insert =
          `INSERT INTO anomalies (run_id, anomaly_id, detector, detector_version, params, category, ${ANOMALY_COLUMNS.join(', ')}) ` +
          `SELECT $${n + 1}, $${n + 1} || '.' || $${n + 2} || '.' || d.row_id::VARCHAR, $${n + 2}, $${n + 3}, $${n + 4}::JSON, $${n + 5}, ${cols} ` +
          `FROM (${q.sql}) AS d`;
        await c.run(insert, [...(q.parameters as DuckDBValue[]), runId, detector.id, detector.version, JSON.stringify(params), detector.category ?? 'trade']);
        const s = await rows(
          c,
          'SELECT count(*)::INTEGER AS n, max(score)::DOUBLE AS top FROM anomalies WHERE run_id = $1 AND detector = $2',
          [runId, detector.id],
        );
        summaries.push({ id: detector.id, version: detector.version, params, anomalies: Number(s[0]!['n']), top_score: (s[0]!['top'] as number | null) ?? null });
      }
      const allParams = JSON.stringify(Object.fromEntries(plan.map((p) => [p.detector.id, { version: p.detector.version, ...p.params }])));
      const detectorIds = plan.map((p) => p.detector.id);
      const providers = Object.keys(dataVersion).length ? Object.keys(dataVersion) : [''];
      for (const provider of providers) {
        await c.run(
          `INSERT INTO analysis_runs (run_id, run_seq, provider, started_at, finished_at, detectors, params, data_version, principal, anomaly_count)
           SELECT $1, $2, $3, $4::TIMESTAMP, current_timestamp::TIMESTAMP, $5::VARCHAR[], $6::JSON, $7::JSON, $8,
             (SELECT count(*) FROM anomalies WHERE run_id = $1 AND provider = $3)`,
          [runId, seq, provider, startedAt.replace('T', ' ').replace('Z', ''), `[${detectorIds.join(',')}]`, allParams, JSON.stringify(dataVersion[provider] ?? []), scope.principal],
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
