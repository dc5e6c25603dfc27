/**
 * The report builder's form state and its translation to a report definition (POST /api/reports). Pure.
 *
 * The server validates the definition strictly (src/reports/report-spec.ts) and names the field of any
 * problem; the checks here only keep the form from sending what cannot be right (no measure, from/to
 * without a period) and drop empty fields, since the schema rejects empty strings where it wants absence.
 */
import type { ReportInput, SavedReport } from '../api/types.ts';

export type Grain = '' | 'month' | 'quarter' | 'year';

export interface ReportDraft {
  name: string;
  title: string;
  measures: string[];
  by: string[];
  where: string;
  period: Grain;
  from: string;
  to: string;
  top: string;
}

export const EMPTY_DRAFT: ReportDraft = { name: '', title: '', measures: [], by: [], where: '', period: '', from: '', to: '', top: '' };

/** Dimensions of mirror statistics (the explore catalogue does not describe that source). */
export const MIRROR_DIMENSIONS = [
  { id: 'nation', label: 'Importing country' },
  { id: 'partner', label: 'Exporting country' },
  { id: 'provider', label: 'Provider' },
];

/** Period dimensions come from the report's grain, never from `by`. */
export const PERIOD_DIMENSIONS: ReadonlySet<string> = new Set(['day', 'week', 'month', 'quarter', 'year']);

export function draftOf(r: SavedReport): ReportDraft {
  return {
    name: r.name,
    title: r.title,
    measures: [...r.spec.measures],
    by: [...r.spec.by],
    where: r.spec.where ?? '',
    period: r.spec.period ?? '',
    from: r.spec.from ?? '',
    to: r.spec.to ?? '',
    top: r.spec.top ? String(r.spec.top) : '',
  };
}

/** The problem that stops saving, or null. */
export function draftProblem(d: ReportDraft): string | null {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(d.name)) return 'Name: lower-case letters, digits and -, starting with a letter or digit (it names the report in links and files).';
  if (!d.title.trim()) return 'Title: give the report a title.';
  if (!d.measures.length) return 'Measures: pick at least one.';
  if ((d.from || d.to) && !d.period) return 'From/to: pick a period first (month, quarter or year).';
  if (d.top && (!/^[0-9]+$/.test(d.top) || Number(d.top) < 1)) return 'Top: a whole number of 1 or more.';
  if (d.top && !d.by.length) return 'Top: ranks the first dimension, so pick a dimension.';
  return null;
}

export function inputOf(d: ReportDraft, formats: ReportInput['formats'] = ['csv', 'xlsx', 'pdf']): ReportInput {
  return {
    name: d.name,
    title: d.title.trim(),
    spec: {
      measures: d.measures,
      by: d.by,
      ...(d.where.trim() ? { where: d.where.trim() } : {}),
      ...(d.period ? { period: d.period } : {}),
      ...(d.period && d.from.trim() ? { from: d.from.trim() } : {}),
      ...(d.period && d.to.trim() ? { to: d.to.trim() } : {}),
      ...(d.top ? { top: Number(d.top) } : {}),
    },
    formats,
  };
}
