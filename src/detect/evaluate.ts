/**
 * Evaluation of a run against labels, as customs judge targeting: precision and recall at the top n % of
 * lines (n = 1, 5, 10) and the area under the precision-recall curve (average precision), per detector of
 * the run and for the combined ranking (ranking.ts) as the default ranking shows it ('combined': the trained
 * combination where there is one), plus 'combined-unsupervised' when a trained one was used, so the gain of
 * training is visible. A combination worse than one of its components at a cut-off is named in `warnings`:
 * the combination is meant never to be worse than its best part.
 *
 * Invariants:
 * - The population is ALL lines in scope (current trade_lines the caller may read, optionally restricted to
 *   some batches), not only the flagged ones: a detector that flags few lines is judged on the same cut-offs
 *   as one that flags many. Lines a method did not score rank after every scored line.
 * - Total, deterministic order per method: score descending, then row id ascending (also among unscored
 *   lines), so metrics never depend on the engine's tie order.
 * - The cut-off at n % is k = ceil(N · n / 100) lines (at least one line of any non-empty population);
 *   P@n = positives in the top k / k; R@n = positives in the top k / all positives (null when none).
 * - Average precision = (1 / positives) · Σ over positive lines of (positives at or above its rank / rank),
 *   over the whole ordered population: the step-wise area under the precision-recall curve.
 * - Everything is computed inside DuckDB through the scoped query layer; labels from a file travel as one
 *   bound JSON parameter (never SQL text). Label columns are a fixed list of canonical booleans.
 * - A bad labels file is an InputError naming the file, line and field, never the cell value.
 */
import { readFileSync } from 'node:fs';
import { sql, type Kysely } from 'kysely';
import { InputError } from '../ingest/input-error.ts';
import type { ScopedDb } from '../query/index.ts';
import { latestRunId } from './anomaly-queries.ts';
import { detectorLineScores, rankingQuery, resolveCombination, type CombinationChoice, type Weights } from './ranking.ts';
import { assertRowAccess } from './run-analysis.ts';

export const LABEL_COLUMNS = ['fraud', 'inspected', 'seized'] as const;
export type LabelColumn = (typeof LABEL_COLUMNS)[number];
export const CUTOFFS = [1, 5, 10] as const;
export const COMBINED = 'combined';
export const COMBINED_UNSUPERVISED = 'combined-unsupervised';

/** A line named by a label row: (declaration_id, line_no). */
export interface LabelledLine {
  declaration_id: string;
  line_no: number;
}

export type LabelSource = { column: LabelColumn } | { lines: readonly LabelledLine[] };

export interface EvaluateRequest {
  run?: string | undefined;
  labels: LabelSource;
  /** Restrict the population to these batches (e.g. a validation split). */
  batches?: readonly string[] | undefined;
  weights?: Weights | undefined;
  combination?: CombinationChoice | undefined;
  /** Further cut-offs in % of lines (e.g. 2 for a 2 % anomaly rate), reported in `extra`. */
  cutoffs?: readonly number[] | undefined;
}

export interface MethodMetrics {
  detector: string;
  lines: number;
  positives: number;
  scored: number;
  precision_at_1pct: number | null;
  recall_at_1pct: number | null;
  precision_at_5pct: number | null;
  recall_at_5pct: number | null;
  precision_at_10pct: number | null;
  recall_at_10pct: number | null;
  average_precision: number | null;
  /** Precision and recall at the further cut-offs asked for (EvaluateRequest.cutoffs), in that order. */
  extra?: { pct: number; precision: number | null; recall: number | null }[];
}

export interface Evaluation {
  run_id: string | null;
  /** Trained combinations the 'combined' ranking used (none: unsupervised). */
  combination_models: string[];
  methods: MethodMetrics[];
  /** One sentence per cut-off where a component beats the combination ('combined'). */
  warnings: string[];
}

export class EvaluateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvaluateError';
  }
}

/** RFC 4180 records with their starting line numbers (quoted fields may span lines). */
function csvRecords(text: string): { line: number; fields: string[] }[] {
  const out: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let cur = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  let any = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cur += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === '\n') line++;
        cur += ch;
      }
      continue;
    }
    if (ch === '"') {
      quoted = true;
      any = true;
    } else if (ch === ',') {
      fields.push(cur);
      cur = '';
      any = true;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      if (any || cur !== '') out.push({ line: start, fields: [...fields, cur] });
      fields = [];
      cur = '';
      any = false;
      line++;
      start = line;
    } else {
      cur += ch;
      any = true;
    }
  }
  if (quoted) throw new InputError('', start, null, 'unterminated quoted field', '');
  if (any || cur !== '') out.push({ line: start, fields: [...fields, cur] });
  return out;
}

/**
 * Reads a labels file in the generator's labels.csv format: a header with at least subject_kind,
 * declaration_id and line_no; rows of subject_kind 'line' name a positive line; other rows are ignored.
 */
export function readLabelsFile(file: string): LabelledLine[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new InputError(file, null, null, 'cannot read the labels file', 'Check the path and permissions.');
  }
  let records: { line: number; fields: string[] }[];
  try {
    records = csvRecords(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    if (e instanceof InputError) throw new InputError(file, e.line, null, e.problem, 'Close the quote or remove the stray quote character.');
    throw e;
  }
  const header = records[0];
  if (!header) throw new InputError(file, 1, null, 'the labels file is empty', 'Give a CSV with a header: subject_kind,declaration_id,line_no,...');
  const names = header.fields.map((h) => h.trim().toLowerCase());
  const idx = (n: string) => {
    const i = names.indexOf(n);
    if (i < 0) throw new InputError(file, header.line, n, 'missing column', 'The header needs subject_kind, declaration_id and line_no (labels.csv of parallax generate).');
    return i;
  };
  const [ik, id, il] = [idx('subject_kind'), idx('declaration_id'), idx('line_no')];
  const out: LabelledLine[] = [];
  for (const r of records.slice(1)) {
    if (r.fields.length !== names.length) throw new InputError(file, r.line, null, `expected ${names.length} fields, found ${r.fields.length}`, 'Quote fields that contain commas.');
    if (r.fields[ik]!.trim() !== 'line') continue;
    const decl = r.fields[id]!.trim();
    if (!decl) throw new InputError(file, r.line, 'declaration_id', 'empty on a line label', 'Name the declaration of every line label.');
    const rawNo = r.fields[il]!.trim();
    const no = Number(rawNo);
    if (!/^[0-9]+$/.test(rawNo) || !Number.isSafeInteger(no) || no < 1) throw new InputError(file, r.line, 'line_no', 'not a positive whole number', 'Give the line number within the declaration (1, 2, ...).');
    out.push({ declaration_id: decl, line_no: no });
  }
  return out;
}

const lineKey = (d: string, n: number | string) => `${d}\u0001${n}`;

/** Metrics per detector of the run and combined, computed in one SQL query. */
export async function evaluate(db: ScopedDb, req: EvaluateRequest): Promise<Evaluation> {
  assertRowAccess(db.scope);
  const runId = req.run ?? (await latestRunId(db));
  if (!runId) return { run_id: null, combination_models: [], methods: [], warnings: [] };
  const k = db.db as Kysely<any>;
  const combination = await resolveCombination(db, req.combination, req.weights ?? {});
  const trained = (combination.models ?? []).length > 0;
  const extra = (req.cutoffs ?? []).filter((n) => Number.isFinite(n) && n > 0 && n <= 100);
  const cuts = [...CUTOFFS, ...extra];

  let pos;
  if ('column' in req.labels) {
    const col = req.labels.column;
    if (!LABEL_COLUMNS.includes(col)) throw new EvaluateError(`label column must be one of ${LABEL_COLUMNS.join(', ')}`);
    pos = sql<boolean>`coalesce(${sql.ref(`t.${col}`)}, false)`;
  } else {
    const keys = [...new Set(req.labels.lines.map((l) => lineKey(l.declaration_id, l.line_no)))];
    pos = sql<boolean>`coalesce((t.declaration_id || chr(1) || t.line_no::VARCHAR) IN (SELECT unnest(from_json(${JSON.stringify(keys)}::JSON, '["VARCHAR"]'))), false)`;
  }

  let lines = k.selectFrom('trade_lines as t').select(['t.provider', 't.row_id', pos.as('pos')]);
  if (req.batches?.length) lines = lines.where('t.batch_id', 'in', [...req.batches]);

  const perDetector = k.selectFrom(detectorLineScores(db, runId).as('d')).select(['d.detector as method', 'd.provider', 'd.row_id', 'd.score']);
  let combined = k.selectFrom(rankingQuery(db, runId, combination).as('c')).select([sql.lit(COMBINED).as('method'), 'c.provider', 'c.row_id', 'c.score']);
  let methods = k
    .selectFrom('analysis_runs as r')
    .where('r.run_id', '=', runId)
    .select(sql<string>`unnest(r.detectors)`.as('method'))
    .union(k.selectNoFrom(sql.lit(COMBINED).as('method')));
  if (trained) {
    combined = combined.unionAll(k.selectFrom(rankingQuery(db, runId, {}).as('u')).select([sql.lit(COMBINED_UNSUPERVISED).as('method'), 'u.provider', 'u.row_id', 'u.score']));
    methods = methods.union(k.selectNoFrom(sql.lit(COMBINED_UNSUPERVISED).as('method')));
  }

  const rows = await k
    .with('lines', () => lines)
    .with('scores', () => perDetector.unionAll(combined))
    .with('methods', () => k.selectFrom(methods.as('m0')).select('m0.method').distinct())
    .with('ranked', (qc) =>
      qc
        .selectFrom('methods as m')
        .crossJoin('lines as l')
        .leftJoin('scores as s', (j) => j.onRef('s.method', '=', 'm.method').onRef('s.provider', '=', 'l.provider').onRef('s.row_id', '=', 'l.row_id'))
        .select([
          'm.method',
          'l.pos',
          sql<boolean>`s.score IS NOT NULL`.as('scored'),
          sql<number>`row_number() OVER (PARTITION BY m.method ORDER BY s.score DESC NULLS LAST, l.row_id, l.provider)`.as('rk'),
          sql<number>`count(*) OVER (PARTITION BY m.method)`.as('n'),
        ]),
    )
    .with('cum', (qc) =>
      qc
        .selectFrom('ranked as r')
        .selectAll('r')
        .select(sql<number>`sum(CASE WHEN r.pos THEN 1 ELSE 0 END) OVER (PARTITION BY r.method ORDER BY r.rk ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)`.as('tp')),
    )
    .selectFrom('cum as c')
    .select([
      'c.method',
      sql<number>`count(*)::INTEGER`.as('lines'),
      sql<number>`count(*) FILTER (WHERE c.pos)::INTEGER`.as('positives'),
      sql<number>`count(*) FILTER (WHERE c.scored)::INTEGER`.as('scored'),
      ...cuts.map((n, i) => sql<number>`(count(*) FILTER (WHERE c.pos AND c.rk <= ceil(c.n * ${n}::DOUBLE / 100.0)))::DOUBLE`.as(`tp_${i}`)),
      ...cuts.map((n, i) => sql<number>`max(ceil(c.n * ${n}::DOUBLE / 100.0))::DOUBLE`.as(`k_${i}`)),
      // Summed in rank order: a parallel float sum could differ in the last bit between runs.
      sql<number>`sum(CASE WHEN c.pos THEN c.tp / c.rk END ORDER BY c.rk)::DOUBLE`.as('ap_sum'),
    ])
    .groupBy('c.method')
    .orderBy(sql`c.method = ${COMBINED}`)
    .orderBy(sql`c.method = ${COMBINED_UNSUPERVISED}`)
    .orderBy('c.method')
    .execute();

  const methodsOut: MethodMetrics[] = rows.map((r) => {
    const lines = Number(r['lines']);
    const positives = Number(r['positives']);
    const m: Record<string, unknown> = { detector: String(r['method']), lines, positives, scored: Number(r['scored']) };
    const at = (i: number) => {
      const tp = Number(r[`tp_${i}`]);
      const kk = Number(r[`k_${i}`]);
      return { precision: kk > 0 ? tp / kk : null, recall: positives > 0 ? tp / positives : null };
    };
    if (extra.length) m['extra'] = extra.map((pct, j) => ({ pct, ...at(CUTOFFS.length + j) }));
    for (const [i, n] of CUTOFFS.entries()) {
      const tp = Number(r[`tp_${i}`]);
      const kk = Number(r[`k_${i}`]);
      m[`precision_at_${n}pct`] = kk > 0 ? tp / kk : null;
      m[`recall_at_${n}pct`] = positives > 0 ? tp / positives : null;
    }
    m['average_precision'] = positives > 0 ? Number(r['ap_sum'] ?? 0) / positives : null;
    return m as unknown as MethodMetrics;
  });
  return { run_id: runId, combination_models: (combination.models ?? []).map((m) => m.model_id), methods: methodsOut, warnings: componentWarnings(methodsOut) };
}

/** Cut-offs at which a detector ranks more positives into the top n % than the combined ranking does. */
export function componentWarnings(methods: readonly MethodMetrics[]): string[] {
  const c = methods.find((m) => m.detector === COMBINED);
  if (!c || c.positives === 0) return [];
  const out: string[] = [];
  for (const n of CUTOFFS) {
    const key = `precision_at_${n}pct` as const;
    const mine = c[key] ?? 0;
    const best = methods.filter((m) => m.detector !== COMBINED && m.detector !== COMBINED_UNSUPERVISED).sort((a, b) => (b[key] ?? 0) - (a[key] ?? 0) || a.detector.localeCompare(b.detector))[0];
    if (best && (best[key] ?? 0) > mine + 1e-12) {
      out.push(`the combined ranking is worse than ${best.detector} at the top ${n} %: precision ${mine.toFixed(3)} against ${(best[key] ?? 0).toFixed(3)}`);
    }
  }
  return out;
}
