/**
 * Number and value formatting for tables and charts: fixed locale (en-US) so figures read the same for
 * every analyst and in screenshots; counts without decimals, money with two, ratios as percentages.
 */
const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const dec2 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const sig = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 4 });
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
const pct = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1, signDisplay: 'exceptZero' });
const pctPlain = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 });

export function formatValue(v: unknown, unit?: string): string {
  if (v === null || v === undefined) return '–';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v !== 'number') return String(v);
  if (!Number.isFinite(v)) return String(v);
  if (unit === 'count') return int.format(v);
  if (unit === 'ratio') return pctPlain.format(v);
  if (Number.isInteger(v)) return int.format(v);
  if (Math.abs(v) >= 1) return dec2.format(v);
  return sig.format(v);
}

export const formatCompact = (v: number): string => (Math.abs(v) < 1000 ? sig.format(v) : compact.format(v));
export const formatChange = (v: number | null | undefined): string => (v === null || v === undefined || !Number.isFinite(v) ? '–' : pct.format(v));
export const formatInt = (v: number): string => int.format(v);
