/**
 * Reads of stored runs and anomalies, through the scoped query layer like every other read.
 *
 * Invariants:
 * - `anomalies` and `analysis_runs` are scoped 'trade' tables filtered on `provider`: a principal sees the
 *   anomalies of lines of providers they may read, and run records of those providers only.
 * - Line-level anomalies need row-level access (an aggregate-only grant could otherwise learn single lines).
 * - Pages report their total and where the next page starts; ordering is total (score, then anomaly id).
 * - JSON columns are returned parsed; BIGINT ids as strings (they exceed 2^53).
 * - Country, HS, party and period filters match the trade lines an anomaly names (its row_ids), joined
 *   through the same scoped handle, so a filter can only ever narrow what the caller already sees; values
 *   are bound parameters (a party name's LIKE wildcards are escaped, so it matches as typed).
 */
import { sql, type Kysely, type SelectQueryBuilder, type SqlBool } from 'kysely';
import { grantFor, type ScopedDb } from '../query/index.ts';
import { ExploreSpecError } from '../explore/index.ts';
import { assertRowAccess, storedBatches } from './run-analysis.ts';
import type { DatasetCategory } from '../schema/index.ts';

export const MAX_ANOMALY_PAGE = 10_000;

export interface Anomaly {
  anomaly_id: string;
  run_id: string;
  detector: string;
  detector_version: string;
  params: Record<string, unknown>;
  provider: string;
  subject: { kind: string; declaration_id: string | null; line_no: number | null; row_id: string | null };
  score: number;
  reason: string;
  evidence: Record<string, unknown>;
  row_ids: string[];
}

export interface AnomalyFilter {
  run?: string | undefined;
  detector?: string | undefined;
  minScore?: number | undefined;
  /** ISO alpha-2; matches the line's origin or partner country. */
  country?: string | undefined;
  /** Leading digits of the line's HS code. */
  hs?: string | undefined;
  /** A resolved party id, or part of an importer's or exporter's name (case-insensitive). */
  party?: string | undefined;
  /** YYYY or YYYY-MM: the line's date falls in that year or month. */
  period?: string | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
  /**
   * Only anomalies whose id this query returns (one column of anomaly ids), built by code, never from user
   * text: compare-runs.ts narrows the list to what is new, gone or changed against another run this way.
   */
  among?: SelectQueryBuilder<any, any, any> | undefined;
}

export interface AnomalyPage {
  run_id: string | null;
  rows: Anomaly[];
  total: number;
  offset: number;
  limit: number;
  truncated: boolean;
  next_offset: number | null;
}

export interface RunRecord {
  run_id: string;
  started_at: string;
  finished_at: string;
  detectors: string[];
  params: Record<string, unknown>;
  data_version: Record<string, string[]>;
  principal: string;
  anomalies: number;
}

const parse = (v: unknown): any => (typeof v === 'string' ? JSON.parse(v) : v);

function toAnomaly(r: Record<string, unknown>): Anomaly {
  return {
    anomaly_id: String(r['anomaly_id']),
    run_id: String(r['run_id']),
    detector: String(r['detector']),
    detector_version: String(r['detector_version']),
    params: parse(r['params']),
    provider: String(r['provider']),
    subject: {
      kind: String(r['subject_kind']),
      declaration_id: (r['declaration_id'] as string | null) ?? null,
      line_no: (r['line_no'] as number | null) ?? null,
      row_id: r['row_id'] === null || r['row_id'] === undefined ? null : String(r['row_id']),
    },
    score: Number(r['score']),
    reason: String(r['reason']),
    evidence: parse(r['evidence']),
    row_ids: (parse(r['row_ids']) as unknown[]).map(String),
  };
}

const ANOMALY_SELECT = [
  'a.anomaly_id', 'a.run_id', 'a.detector', 'a.detector_version', 'a.params', 'a.provider', 'a.subject_kind',
  'a.declaration_id', 'a.line_no', sql<string>`a.row_id::VARCHAR`.as('row_id'), 'a.score', 'a.reason', 'a.evidence',
  sql<string[]>`list_transform(a.row_ids, x -> x::VARCHAR)`.as('row_ids'),
] as const;

/** The latest run the caller can see, or null. */
export async function latestRunId(db: ScopedDb): Promise<string | null> {
  const r = await (db.db as Kysely<any>).selectFrom('analysis_runs as r').select('r.run_id').orderBy('r.run_seq', 'desc').limit(1).executeTakeFirst();
  return (r?.['run_id'] as string | undefined) ?? null;
}

export async function listAnomalies(db: ScopedDb, f: AnomalyFilter): Promise<AnomalyPage> {
  assertRowAccess(db.scope);
  const limit = f.limit ?? 100;
  const offset = f.offset ?? 0;
  const runId = f.run ?? (await latestRunId(db));
  if (!runId) return { run_id: null, rows: [], total: 0, offset, limit, truncated: false, next_offset: null };
  let q = (db.db as Kysely<any>).selectFrom('anomalies as a').where('a.run_id', '=', runId);
  if (f.detector) q = q.where('a.detector', '=', f.detector);
  if (f.minScore !== undefined) q = q.where('a.score', '>=', f.minScore);
  const lineFilter = matchingAnomalies(db, runId, f);
  if (lineFilter) q = q.where('a.anomaly_id', 'in', lineFilter);
  if (f.among) q = q.where('a.anomaly_id', 'in', f.among);
  const [rows, count] = await Promise.all([
    q.select([...ANOMALY_SELECT]).orderBy('a.score', 'desc').orderBy('a.anomaly_id').limit(limit).offset(offset).execute(),
    q.select(sql<number>`count(*)::INTEGER`.as('n')).executeTakeFirst(),
  ]);
  const total = Number(count?.['n'] ?? 0);
  const end = offset + rows.length;
  return { run_id: runId, rows: rows.map(toAnomaly), total, offset, limit, truncated: end < total, next_offset: end < total ? end : null };
}

/** A 400 like any other bad query parameter (ExploreSpecError is mapped to one). */
export class AnomalyFilterError extends ExploreSpecError {
  constructor(message: string) {
    super(message);
    this.name = 'AnomalyFilterError';
  }
}

const likeText = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** First and first-after day of a YYYY or YYYY-MM period, as ISO dates. */
export function periodBounds(p: string): [string, string] {
  const m = /^([0-9]{4})(?:-(0[1-9]|1[0-2]))?$/.exec(p);
  if (!m) throw new AnomalyFilterError('period: use YYYY or YYYY-MM');
  const y = Number(m[1]);
  if (!m[2]) return [`${y}-01-01`, `${y + 1}-01-01`];
  const mo = Number(m[2]);
  return [`${y}-${m[2]}-01`, mo === 12 ? `${y + 1}-01-01` : `${y}-${String(mo + 1).padStart(2, '0')}-01`];
}

/**
 * Ids of the run's anomalies naming at least one trade line that passes the line filters, or null when no
 * line filter is given. One semi-join in DuckDB: the run's (anomaly, row id) pairs against trade_lines.
 */
function matchingAnomalies(db: ScopedDb, runId: string, f: AnomalyFilter) {
  if (!f.country && !f.hs && !f.party && !f.period) return null;
  const k = db.db as Kysely<any>;
  const pairs = k.selectFrom('anomalies as fa').select(['fa.anomaly_id', sql`unnest(fa.row_ids)`.as('row_id')]).where('fa.run_id', '=', runId);
  let q = k.selectFrom(pairs.as('x')).innerJoin('trade_lines as t', 't.row_id', 'x.row_id').select('x.anomaly_id').distinct();
  if (f.country) {
    const c = f.country.toUpperCase();
    q = q.where((eb) => eb.or([eb('t.origin_country', '=', c), eb('t.partner_country', '=', c)]));
  }
  if (f.hs) q = q.where('t.hs_code', 'like', `${f.hs}%`);
  if (f.period) {
    const [from, to] = periodBounds(f.period);
    q = q.where(sql<SqlBool>`t.date >= CAST(${from} AS DATE) AND t.date < CAST(${to} AS DATE)`);
  }
  if (f.party) {
    const pat = likeText(f.party.trim());
    const id = f.party.trim();
    const like = (col: string) => sql<SqlBool>`${sql.ref(col)} ILIKE ${pat} ESCAPE '\\'`;
    // A resolved party (party_members maps each provider's party reference to its party id), or the name
    // as written on the line.
    const members = k
      .selectFrom('party_members as m')
      .select('m.ref')
      .whereRef('m.provider', '=', 't.provider')
      .where((eb) => eb.or([eb('m.party_id', '=', id), like('m.name')]));
    q = q.where((eb) =>
      eb.or([
        like('t.importer_name'),
        like('t.exporter_name'),
        eb('t.importer_key', 'in', members),
        eb('t.exporter_key', 'in', members),
      ]),
    );
  }
  return q;
}

export async function getAnomaly(db: ScopedDb, id: string): Promise<Anomaly | null> {
  assertRowAccess(db.scope);
  const r = await (db.db as Kysely<any>).selectFrom('anomalies as a').select([...ANOMALY_SELECT]).where('a.anomaly_id', '=', id).executeTakeFirst();
  return r ? toAnomaly(r) : null;
}

/**
 * Runs the caller can see, newest first. Counts and data versions cover only what the caller may read: the
 * anomaly count is counted through the scope (a customs officer's count leaves out payment mismatches), and
 * each provider's batches are listed for the categories the caller is granted for that provider.
 */
export async function listRuns(db: ScopedDb): Promise<RunRecord[]> {
  const k = db.db as Kysely<any>;
  const counts = k.selectFrom('anomalies as a').select(['a.run_id', sql<number>`count(*)::INTEGER`.as('n')]).groupBy('a.run_id');
  const rows = await k
    .selectFrom('analysis_runs as r')
    .leftJoin(counts.as('c'), 'c.run_id', 'r.run_id')
    .select([
      'r.run_id',
      sql<string>`min(r.started_at)::VARCHAR`.as('started_at'),
      sql<string>`max(r.finished_at)::VARCHAR`.as('finished_at'),
      sql<string[]>`any_value(r.detectors)`.as('detectors'),
      sql<string>`any_value(r.params)::VARCHAR`.as('params'),
      sql<string>`json_group_object(r.provider, r.data_version)::VARCHAR`.as('data_version'),
      sql<string>`any_value(r.principal)`.as('principal'),
      sql<number>`coalesce(any_value(c.n), 0)::INTEGER`.as('anomalies'),
    ])
    .groupBy('r.run_id')
    .orderBy(sql`max(r.run_seq)`, 'desc')
    .execute();
  const visible = (provider: string, category: string) => {
    const g = grantFor(db.scope, category as DatasetCategory);
    return !!g && (g.providers === '*' || g.providers.includes(provider));
  };
  return rows.map((r) => ({
    run_id: String(r['run_id']),
    started_at: String(r['started_at']),
    finished_at: String(r['finished_at']),
    detectors: parse(r['detectors']) as string[],
    params: parse(r['params']),
    data_version: Object.fromEntries(
      Object.entries(parse(r['data_version']) as Record<string, unknown>)
        .filter(([provider]) => provider !== '')
        .map(([provider, v]) => [provider, Object.entries(storedBatches(parse(v))).flatMap(([cat, ids]) => (visible(provider, cat) ? (ids ?? []) : [])).sort()]),
    ),
    principal: String(r['principal']),
    anomalies: Number(r['anomalies']),
  }));
}
