/**
 * Calendar periods as chart axes: the full run of months, quarters or years between the first and the last
 * period with data, so a period without data is a gap on the axis (and a break in the line), never a
 * straight line drawn across it. Pure.
 */
export type Grain = 'month' | 'quarter' | 'year';

/** The grain of period labels: 2024-03 (month), 2024-Q1 (quarter), 2024 (year); a date counts as its month. */
export function grainOf(labels: readonly string[]): Grain {
  const l = labels.find(Boolean) ?? '';
  if (/^\d{4}-Q[1-4]$/.test(l)) return 'quarter';
  if (/^\d{4}$/.test(l)) return 'year';
  return 'month';
}

/** The label of a period value as the axis shows it (a date becomes its month). */
export function periodLabel(v: string, grain: Grain): string {
  if (grain === 'month') return v.slice(0, 7);
  if (grain === 'year') return v.slice(0, 4);
  return v;
}

function index(label: string, grain: Grain): number | null {
  if (grain === 'year') return /^\d{4}$/.test(label) ? Number(label) : null;
  if (grain === 'quarter') {
    const m = /^(\d{4})-Q([1-4])$/.exec(label);
    return m ? Number(m[1]) * 4 + Number(m[2]) - 1 : null;
  }
  const m = /^(\d{4})-(\d{2})$/.exec(label);
  return m ? Number(m[1]) * 12 + Number(m[2]) - 1 : null;
}

function labelOf(i: number, grain: Grain): string {
  if (grain === 'year') return String(i);
  if (grain === 'quarter') return `${Math.floor(i / 4)}-Q${(i % 4) + 1}`;
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
}

/** Every period from the first to the last label (labels of another form are kept, in order, at the end). */
export function fillPeriods(labels: readonly string[], grain: Grain): string[] {
  const idx = labels.map((l) => index(l, grain)).filter((i): i is number => i !== null);
  if (!idx.length) return [...labels];
  const lo = Math.min(...idx);
  const hi = Math.max(...idx);
  // A run longer than 100 years is a data error, not a chart: keep what was given.
  if (hi - lo > (grain === 'month' ? 1200 : grain === 'quarter' ? 400 : 100)) return [...labels].sort();
  const out: string[] = [];
  for (let i = lo; i <= hi; i++) out.push(labelOf(i, grain));
  return out;
}
