/**
 * CSV export (RFC 4180) of a report table.
 *
 * Invariants:
 * - Data only: one header line, the rows, then the total row, so any CSV reader loads it as a table (title
 *   and notes are in the XLSX and PDF forms).
 * - Numbers are written for people and spreadsheets alike, by the column's unit, without thousands
 *   separators: money to the cent (2256783.25, never 2256783.2499999995), counts whole, ratios and changes
 *   to 6 decimals, anything else to 12 significant digits, which drops binary float noise and nothing a
 *   declaration carries. The exact values stay in the store; this is the edge where they become text.
 * - CSV injection: a text cell starting with =, +, -, @, tab or carriage return is prefixed with a single
 *   quote, so a spreadsheet never evaluates a value as a formula (OWASP). Numbers are never prefixed.
 */
import type { ReportTableData, TableValue } from './report-table.ts';

/** Money columns of line exports and reports (`unit` of a report column, or these line fields). */
const MONEY_UNITS: ReadonlySet<string> = new Set(['USD', 'currency', 'money']);

/** A number as CSV text by its column's unit (see the header). */
export function csvNumber(v: number, unit?: string): string {
  if (!Number.isFinite(v)) return '';
  if (unit !== undefined && MONEY_UNITS.has(unit)) return (Math.round(v * 100) / 100).toFixed(2);
  if (unit === 'count') return String(Math.round(v));
  if (unit === 'ratio' || unit === 'change') return String(Number(v.toFixed(6)));
  return String(Number(v.toPrecision(12)));
}

function text(v: TableValue, unit?: string): string {
  if (v === null) return '';
  if (typeof v === 'number') return csvNumber(v, unit);
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) || safe !== safe.trim() ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function writeCsv(t: ReportTableData): Buffer {
  const lines = [
    t.columns.map((c) => text(c.label)).join(','),
    ...t.rows.map((r) => r.map((v, i) => text(v, t.columns[i]?.unit)).join(',')),
    ...(t.total ? [t.total.map((v, i) => text(v, t.columns[i]?.unit)).join(',')] : []),
  ];
  return Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8');
}
