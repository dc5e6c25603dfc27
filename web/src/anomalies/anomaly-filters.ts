/**
 * The anomaly list's filters as they live in the URL. Pure functions.
 *
 * Every filter is applied by the server (GET /api/anomalies): run, detector and score on the anomaly;
 * country, HS prefix, party and period on the trade lines each anomaly names. So the total and the pages
 * are those of the filtered list, never a refinement of whatever rows happened to be loaded.
 */

export const LINE_FILTERS = ['country', 'hs', 'party', 'period'] as const;
export type LineFilter = (typeof LINE_FILTERS)[number];
export type LineFilters = Record<LineFilter, string>;

/** Patterns the server accepts (src/server/anomaly-routes.ts); checked here only to explain early. */
const VALID: Record<LineFilter, RegExp> = {
  country: /^[A-Za-z]{2}$/,
  hs: /^[0-9]{2,10}$/,
  party: /^.{2,200}$/,
  period: /^[0-9]{4}(-(0[1-9]|1[0-2]))?$/,
};

const HINT: Record<LineFilter, string> = {
  country: 'Country: a two-letter code, e.g. CN.',
  hs: 'HS code: 2 to 10 digits, e.g. 7208.',
  party: 'Party: at least two characters of a name, or a party id.',
  period: 'Period: a year (2024) or a month (2024-03).',
};

export function readLineFilters(q: URLSearchParams): LineFilters {
  return { country: q.get('country') ?? '', hs: q.get('hs') ?? '', party: q.get('party') ?? '', period: q.get('period') ?? '' };
}

/** The first problem with the filters as typed, or null when the server will accept them. */
export function lineFilterProblem(f: LineFilters): string | null {
  for (const k of LINE_FILTERS) if (f[k].trim() && !VALID[k].test(f[k].trim())) return HINT[k];
  return null;
}
