/**
 * What a saved report is: a measures query spec, a layout and an optional monthly schedule, validated
 * without touching data.
 *
 * Invariants:
 * - Parsing is strict (unknown keys are errors) and every error names the field (`spec.measures[1]`,
 *   `layout.columns`), never echoing a value; ReportSpecError is an ExploreSpecError, so the server answers
 *   400 and the CLI exits with the usage code.
 * - A spec is checked against the catalogues when saved (measure, dimension and period names, one source,
 *   the where grammar), so a saved report does not fail later for a typo; whether the runner may read the
 *   data is decided only when it runs, under the runner's scope.
 * - `window: previous` makes from/to relative to the run date: the last whole period of the grain before
 *   it, so a monthly schedule reports on the month just ended.
 * - Names are slugs: they become directory names in the report archive.
 */
import { z } from 'zod';
import { ExploreSpecError, parseFilter } from '../explore/index.ts';
import { MAX_TOP, MEASURES, SOURCES, periodStartOf, type MeasuresSpec } from '../measures/index.ts';

export class ReportSpecError extends ExploreSpecError {
  constructor(message: string) {
    super(message);
    this.name = 'ReportSpecError';
  }
}

export const EXPORT_FORMATS = ['csv', 'xlsx', 'pdf'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const id = z.string().min(1).max(64).regex(/^[a-z0-9_-]+$/, 'ids are lower-case letters, digits, - and _');

export const reportQuerySchema = z
  .object({
    measures: z.array(id).min(1).max(20),
    by: z.array(id).max(4).default([]),
    where: z.string().max(4000).optional(),
    period: z.enum(['month', 'quarter', 'year']).optional(),
    from: z.string().max(10).optional(),
    to: z.string().max(10).optional(),
    window: z.enum(['previous']).optional(),
    top: z.number().int().min(1).max(MAX_TOP).optional(),
  })
  .strict();

export const layoutSchema = z
  .object({
    columns: z.array(z.string().min(1).max(100)).max(100).optional(),
    changes: z.boolean().optional(),
  })
  .strict();

export const reportInputSchema = z
  .object({
    name: z.string().min(1).max(64).regex(/^[a-z0-9][a-z0-9-]*$/, 'a name is lower-case letters, digits and -, starting with a letter or digit'),
    title: z.string().min(1).max(200),
    spec: reportQuerySchema,
    layout: layoutSchema.default({}),
    schedule: z.enum(['monthly']).nullable().default(null),
    formats: z.array(z.enum(EXPORT_FORMATS)).min(1).max(3).default(['xlsx', 'pdf']),
  })
  .strict();

export type ReportQuery = z.infer<typeof reportQuerySchema>;
export type ReportLayout = z.infer<typeof layoutSchema>;
export type ReportInput = z.infer<typeof reportInputSchema>;

/** Parses a report definition, turning schema failures into one message naming the field. */
export function parseReportInput(raw: unknown): ReportInput {
  const r = reportInputSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    const path = i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
    throw new ReportSpecError(`report ${path || 'definition'}: ${i.message}`);
  }
  checkQuery(r.data.spec);
  if (r.data.spec.window && !r.data.spec.period) throw new ReportSpecError('report spec.window: needs spec.period');
  if (r.data.spec.window && (r.data.spec.from || r.data.spec.to)) throw new ReportSpecError('report spec.window: give either window or from/to');
  return r.data;
}

/** Catalogue checks that need no data: names, one source, period labels and the where grammar. */
export function checkQuery(q: ReportQuery): void {
  q.measures.forEach((m, i) => {
    if (!MEASURES.some((x) => x.id === m)) throw new ReportSpecError(`report spec.measures[${i}]: unknown measure "${m}": use one of ${MEASURES.map((x) => x.id).join(', ')}`);
  });
  const sources = new Set(q.measures.map((m) => MEASURES.find((x) => x.id === m)!.source));
  if (sources.size > 1) throw new ReportSpecError('report spec.measures: measures of different datasets (trade lines, enforcement events, mirror statistics) need separate reports');
  const source = SOURCES[[...sources][0]!];
  q.by.forEach((b, i) => {
    if (!source.dimensions.some((d) => d.id === b)) throw new ReportSpecError(`report spec.by[${i}]: unknown dimension "${b}" for ${source.label}: use one of ${source.dimensions.map((d) => d.id).join(', ')}`);
  });
  if ((q.from || q.to) && !q.period) throw new ReportSpecError('report spec.from/to: needs spec.period');
  try {
    if (q.from) periodStartOf(q.from, q.period!, 'spec.from');
    if (q.to) periodStartOf(q.to, q.period!, 'spec.to');
    if (q.where) parseFilter(q.where);
  } catch (e) {
    throw new ReportSpecError(`report ${(e as Error).message}`);
  }
  if (q.top && !q.by.length) throw new ReportSpecError('report spec.top: ranks the first dimension, so spec.by needs one');
}

function label(iso: string, grain: 'month' | 'quarter' | 'year'): string {
  const y = iso.slice(0, 4);
  const m = Number(iso.slice(5, 7));
  return grain === 'year' ? y : grain === 'quarter' ? `${y}-Q${Math.floor((m - 1) / 3) + 1}` : `${y}-${String(m).padStart(2, '0')}`;
}

/** The measures spec a report runs at `now`: a relative window becomes the last whole period before it. */
export function resolveQuery(q: ReportQuery, now: Date): MeasuresSpec {
  let { from, to } = q;
  if (q.window === 'previous' && q.period) {
    const months = { month: 1, quarter: 3, year: 12 }[q.period];
    const cur = now.getUTCFullYear() * 12 + now.getUTCMonth();
    const start = cur - (cur % months) - months;
    const iso = `${Math.floor(start / 12)}-${String((start % 12) + 1).padStart(2, '0')}-01`;
    from = to = label(iso, q.period);
  }
  return { measures: q.measures, by: q.by, where: q.where, period: q.period, from, to, top: q.top };
}

/** First instant (UTC) of the month after `now`: when a monthly report is next due. */
export function nextMonthly(now: Date): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString();
}
