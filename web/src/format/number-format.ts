/**
 * Number and value formatting for tables and charts: fixed locale (en-US) so figures read the same for
 * every analyst and in screenshots; counts without decimals, money with two, ratios as percentages,
 * p-values the way a statistician writes them (p < 1e-10, never 58 zeros).
 *
 * Invariants: pure, no DOM. Money is always shown to the cent where it is shown in full, and in compact
 * notation (17.2B) only together with the full figure on hover (compact-number.tsx), so a headline never
 * overflows its card and nothing is lost.
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
  if (unit === 'USD' || unit === 'currency' || unit === 'money') return dec2.format(v);
  if (Number.isInteger(v)) return int.format(v);
  if (Math.abs(v) >= 1) return dec2.format(v);
  return sig.format(v);
}

/** Money to the cent with its currency: "2,256,783.25 USD". */
export function formatMoney(v: number | null | undefined, currency = 'USD'): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  return `${dec2.format(v)} ${currency}`;
}

/** A short figure for a card or an axis: 17.2B, 4,512 under ten thousand. */
export const formatCompact = (v: number): string => (Math.abs(v) < 1000 ? sig.format(v) : Math.abs(v) < 10_000 ? int.format(v) : compact.format(v));
export const formatChange = (v: number | null | undefined): string => (v === null || v === undefined || !Number.isFinite(v) ? '–' : pct.format(v));
export const formatInt = (v: number): string => int.format(v);
const pctSmall = new Intl.NumberFormat('en-US', { style: 'percent', maximumSignificantDigits: 2 });
/** A share as a percentage; below 1 % with two significant digits (0.15 %), so a rare share never reads 0.1 %. */
export const formatPercent = (v: number | null | undefined): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : v !== 0 && Math.abs(v) < 0.01 ? pctSmall.format(v) : pctPlain.format(v);

/**
 * A p-value as people write it: "< 1e-10" below 1e-10, scientific with two digits below 0.001 (2.9e-5),
 * otherwise three decimals.
 */
export function formatP(p: number): string {
  if (!Number.isFinite(p)) return '–';
  if (p < 1e-10) return '< 1e-10';
  if (p < 0.001) {
    const [m, e] = p.toExponential(1).split('e');
    return `${m}e${e}`;
  }
  return p.toFixed(3);
}

/** A plain number for evidence: integers grouped, others to 4 significant digits (or 2 decimals from 1000). */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return int.format(v);
  if (Math.abs(v) >= 1000) return dec2.format(v);
  return sig.format(v);
}
